package dev.ledger.api;

import dev.ledger.domain.transfer.TransferRequest;

import java.util.Currency;
import java.util.Map;

/** A valid transfer object. {@code transferId} is null when the client named none. */
record TransferBody(String transferId, String debitAccountId, String creditAccountId, long amountMinor,
                    Currency currency, String reference, Map<String, String> metadata) {

    TransferRequest toRequest(String id) {
        return new TransferRequest(id, debitAccountId, creditAccountId, amountMinor, currency, reference, metadata);
    }
}
