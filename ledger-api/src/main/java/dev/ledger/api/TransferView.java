package dev.ledger.api;

import java.util.Map;

/** A transfer as the API shows it; the read model fills {@code reason} and {@code completedAt} when final. */
record TransferView(String transferId, String debitAccountId, String creditAccountId, long amount, String currency,
                    String reference, Map<String, String> metadata, String status, String reason, String createdAt,
                    String completedAt) {
}
