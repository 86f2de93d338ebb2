package dev.ledger.domain.transfer;

import java.util.Currency;
import java.util.Map;

/** What the client asked to move. Two requests with the same id must be equal, or they conflict. */
public record TransferRequest(String transferId, String debitAccountId, String creditAccountId, long amount,
                              Currency currency, String reference, Map<String, String> metadata) {
    public TransferRequest {
        metadata = Map.copyOf(metadata);
    }
}
