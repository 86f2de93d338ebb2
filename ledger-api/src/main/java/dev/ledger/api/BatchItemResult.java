package dev.ledger.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * One slot of a batch reply. {@code status}: COMPLETED, REJECTED (with {@code reason}), PENDING,
 * CONFLICT, INVALID (with {@code errors}) or UNAVAILABLE (not recorded; retry it).
 */
record BatchItemResult(String transferId, String status, String reason,
                       @JsonInclude(JsonInclude.Include.NON_NULL) List<FieldError> errors,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Boolean replayed) {

    static BatchItemResult of(String transferId, String status, String reason, boolean replayed) {
        return new BatchItemResult(transferId, status, reason, null, replayed ? Boolean.TRUE : null);
    }

    static BatchItemResult invalid(String transferId, List<FieldError> errors) {
        return new BatchItemResult(transferId, "INVALID", null, List.copyOf(errors), null);
    }
}
