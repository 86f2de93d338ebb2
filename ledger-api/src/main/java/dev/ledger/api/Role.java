package dev.ledger.api;

import java.util.Locale;
import java.util.Optional;

/**
 * What an API key may do. Each role includes the ones below it: an admin may do all a payments key
 * may, and a payments key all a read key may. {@link AccessPolicy} says which operation needs which.
 */
public enum Role {
    /** Queries only (every GET but the key list). */
    READ,
    /** Opens ordinary accounts and submits transfers, and reads. */
    PAYMENTS,
    /** Everything: settlement and overdraft accounts, closing accounts, API keys. */
    ADMIN;

    public boolean includes(Role needed) {
        return compareTo(needed) >= 0;
    }

    /** The name on the wire and in the key store: lower case. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> parse(String name) {
        for (Role role : values()) {
            if (role.wireName().equals(name)) return Optional.of(role);
        }
        return Optional.empty();
    }
}
