package dev.ledger.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who sent a request: the API key it carried, never its secret. A key with a {@code tenant} is
 * confined to the ids that start with it.
 *
 * @param tenant an id prefix, or null for a key that may name every id
 */
public record Principal(String keyId, String name, Role role, String tenant) {
    /**
     * A tenant is the start of an id. At most 22 characters, so that an id derived from an
     * Idempotency-Key (tenant + "k-" + 40 hex digits) still fits the 64 characters of an id.
     */
    public static final int MAX_TENANT_LENGTH = 22;
    public static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0," + (MAX_TENANT_LENGTH - 1) + "}");

    public Principal {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        if (tenant != null && !TENANT.matcher(tenant).matches()) throw new IllegalArgumentException("not a tenant: " + tenant);
    }

    /** Whether this key may name {@code id} (an account or transfer id) in a path or a body. */
    public boolean mayName(String id) {
        return tenant == null || id.startsWith(tenant);
    }

    /** The prefix of the ids derived for this key: its tenant's, so that they stay inside it. */
    String derivedIdPrefix() {
        return tenant == null ? "" : tenant;
    }
}
