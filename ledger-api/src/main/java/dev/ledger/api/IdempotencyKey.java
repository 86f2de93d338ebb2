package dev.ledger.api;

import dev.ledger.domain.Text;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The client's {@code Idempotency-Key}: 1 to 255 characters of acceptable {@link Text} that are
 * also printable ASCII (a header value has no agreed charset beyond it), sent bare or as a quoted
 * string (the IETF draft's form), whose quotes are not part of the key.
 */
record IdempotencyKey(String value) {
    static final String HEADER = "Idempotency-Key";
    static final int MAX_LENGTH = 255;
    /** The derived id is "k-" plus this many hex digits: 160 bits, inside the 64-character id limit. */
    private static final int DERIVED_HEX_DIGITS = 40;

    IdempotencyKey {
        if (!isWellFormed(value)) throw new IllegalArgumentException("not a valid idempotency key");
    }

    static Validated<IdempotencyKey> parse(String header) {
        if (header == null) return Validated.invalid(HEADER, "is required on every POST");
        String key = header.length() >= 2 && header.startsWith("\"") && header.endsWith("\"")
                ? header.substring(1, header.length() - 1)
                : header;
        String problem = Text.problem(key, 1, MAX_LENGTH);
        if (problem != null) return Validated.invalid(HEADER, problem);
        if (!isWellFormed(key)) {
            return Validated.invalid(HEADER, "must be 1 to " + MAX_LENGTH + " printable ASCII characters");
        }
        return Validated.ok(new IdempotencyKey(key));
    }

    /**
     * The identity of a request whose body names none. A hash, so that a retry with the same key gets
     * the same id; the scope keeps an account and a transfer opened with one key apart, and the
     * principal (the API key's id) keeps two clients that chose the same key apart. The id starts
     * with the principal's tenant, so that it stays inside it.
     */
    String deriveId(String scope, Principal principal) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((scope + ":" + principal.keyId() + ":" + value).getBytes(StandardCharsets.US_ASCII));
            return principal.derivedIdPrefix() + "k-" + HexFormat.of().formatHex(digest).substring(0, DERIVED_HEX_DIGITS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static boolean isWellFormed(String key) {
        if (!Text.isAcceptable(key) || key.isEmpty() || key.length() > MAX_LENGTH) return false;
        return key.chars().allMatch(c -> c >= 0x20 && c <= 0x7e);
    }
}
