package dev.ledger.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ledger.domain.Reason;

import java.util.List;

/**
 * An RFC 9457 problem document. {@code type} names the condition so that a client can branch on it;
 * the extension members appear only where they apply.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Problem(String type, String title, int status, String detail, List<FieldError> errors,
               String transferId, String transferStatus, String reason, StuckPartitions.Stuck stuck) {

    static final String CONTENT_TYPE = "application/problem+json";
    static final String TYPE_BASE = "https://ledger.dev/problems/";

    static Problem of(String slug, String title, int status, String detail) {
        return new Problem(TYPE_BASE + slug, title, status, detail, null, null, null, null, null);
    }

    static Problem invalidRequest(List<FieldError> errors) {
        String detail = errors.size() == 1
                ? errors.get(0).field() + " " + errors.get(0).reason()
                : errors.size() + " parts of the request are invalid; see errors";
        return new Problem(TYPE_BASE + "invalid-request", "The request is invalid", 400, detail, List.copyOf(errors),
                null, null, null, null);
    }

    /** No key, or one that is unknown or revoked: say which without saying which keys exist. */
    static Problem unauthorized(String detail) {
        return of("unauthorized", "An API key is required", 401, detail);
    }

    /** A valid key without the right: its role, or an id outside its tenant. */
    static Problem forbidden(String detail) {
        return of("forbidden", "The API key may not do this", 403, detail);
    }

    static Problem notFound(String detail) {
        return of("not-found", "Not found", 404, detail);
    }

    /** Same explicit id, another body: the id is taken. */
    static Problem identityConflict(String id) {
        return of("identity-conflict", "The id is already used by another request", 409,
                "'" + id + "' was already used with a different body");
    }

    /** Same idempotency key, another body: the key was reused for something else. */
    static Problem idempotencyKeyReused() {
        return of("idempotency-key-reused", "The idempotency key was used for another request", 422,
                "this Idempotency-Key was already used with a different body");
    }

    static Problem transferRejected(String transferId, Reason reason) {
        return new Problem(TYPE_BASE + "transfer-rejected", "The transfer was rejected", 422,
                "the ledger rejected transfer '" + transferId + "': " + reason, null, transferId, "REJECTED",
                reason.name(), null);
    }

    static Problem accountNotClosable(String accountId, Reason reason) {
        return new Problem(TYPE_BASE + "account-not-closable", "The account cannot be closed", 409,
                "account '" + accountId + "' cannot be closed: " + reason, null, null, null, reason.name(), null);
    }

    static Problem tooManyRequests() {
        return of("too-many-requests", "Too many requests are waiting", 429,
                "the server holds as many waiting requests as it allows; retry shortly");
    }

    static Problem readModelBehind() {
        return of("read-model-behind", "The read model has not caught up yet", 503,
                "the read model did not reach the requested Ledger-Min-Position in time; retry shortly");
    }

    /**
     * The read depends on a partition the read model is stuck on: its answer would be stale. {@code stuck}
     * names the event (topic, partition, offset, event id) and why; it stays so until an operator fixes
     * the cause and restarts (README: "A stuck read-model partition").
     */
    static Problem readModelStuck(String what, StuckPartitions.Stuck stuck) {
        return new Problem(TYPE_BASE + "read-model-stuck", "The read model is stuck on an event", 503,
                what + " is on partition " + stuck.partition() + " of " + stuck.topic()
                        + ", which the read model cannot project past offset " + stuck.offset()
                        + (stuck.eventId() == null ? "" : " (event " + stuck.eventId() + ")") + ": " + stuck.reason()
                        + "; the write path still works, reads of this partition resume once an operator fixes the cause",
                null, null, null, null, stuck);
    }

    static Problem decisionPending(String detail) {
        return of("decision-pending", "The ledger has not decided yet", 503, detail);
    }

    static Problem unavailable(String detail) {
        return of("unavailable", "Service unavailable", 503, detail);
    }

    static Problem internalError() {
        return of("internal-error", "Internal error", 500, "the server failed to answer; the request may be retried");
    }
}
