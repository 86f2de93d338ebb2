package dev.ledger.api;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Fixed API keys for the HTTP tests of this module that run without the key store: the directory
 * holds them as it would hold the store's rows. The key store itself is tested on PostgreSQL in
 * ReadApiTest and end to end in the launcher.
 */
final class TestKeys {
    static final String ADMIN = "test-admin-key-0123456789abcdefghijklmnop";
    static final String PAYMENTS = "test-payments-key-0123456789abcdefghijklm";
    static final String READ = "test-read-key-0123456789abcdefghijklmnopq";
    static final String ACME_PAYMENTS = "test-acme-payments-key-0123456789abcdefgh";
    static final String ACME_ADMIN = "test-acme-admin-key-0123456789abcdefghijk";

    private TestKeys() {
    }

    static ApiKeyDirectory directory() {
        Map<String, Principal> keys = Arrays.stream(new Object[][] {
                {ADMIN, new Principal("key-admin", "admin", Role.ADMIN, null)},
                {PAYMENTS, new Principal("key-payments", "payments", Role.PAYMENTS, null)},
                {READ, new Principal("key-read", "read", Role.READ, null)},
                {ACME_PAYMENTS, new Principal("key-acme-payments", "acme payments", Role.PAYMENTS, "acme-")},
                {ACME_ADMIN, new Principal("key-acme-admin", "acme admin", Role.ADMIN, "acme-")},
        }).collect(Collectors.toMap(k -> ApiKeySecret.sha256Hex((String) k[0]), k -> (Principal) k[1]));
        return ApiKeyDirectory.start(() -> keys);
    }

    static String bearer(String key) {
        return "Bearer " + key;
    }
}
