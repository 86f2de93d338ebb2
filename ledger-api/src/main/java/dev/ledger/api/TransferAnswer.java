package dev.ledger.api;

import dev.ledger.domain.transfer.TransferRequest;

import java.util.Map;

/** The reply to a transfer request: what was asked, and where it stands (COMPLETED or PENDING). */
record TransferAnswer(String transferId, String debitAccountId, String creditAccountId, long amount, String currency,
                      String reference, Map<String, String> metadata, String status) {

    static TransferAnswer of(TransferRequest request, String status) {
        return new TransferAnswer(request.transferId(), request.debitAccountId(), request.creditAccountId(),
                request.amount(), request.currency().getCurrencyCode(), request.reference(), request.metadata(), status);
    }
}
