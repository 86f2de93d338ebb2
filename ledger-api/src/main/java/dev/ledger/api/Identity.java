package dev.ledger.api;

/**
 * The id a write is deduplicated by: the one in the body, or one derived from the idempotency key.
 * Which of the two decides the status of a conflict: 409 for an explicit id, 422 for a reused key.
 */
record Identity(String id, boolean derived) {
    static final String ACCOUNT_SCOPE = "account";
    static final String TRANSFER_SCOPE = "transfer";

    /** An explicit id is the aggregate's id, the same for every principal; a derived one is the principal's own. */
    static Identity of(String explicitId, IdempotencyKey key, String scope, Principal principal) {
        return explicitId != null ? new Identity(explicitId, false) : new Identity(key.deriveId(scope, principal), true);
    }
}
