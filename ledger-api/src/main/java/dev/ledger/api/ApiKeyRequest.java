package dev.ledger.api;

/** A valid {@code POST /v1/api-keys} body. {@code tenant} is null for a key confined to none. */
record ApiKeyRequest(String name, Role role, String tenant) {
    static final int MAX_NAME_CODE_POINTS = 128;
}
