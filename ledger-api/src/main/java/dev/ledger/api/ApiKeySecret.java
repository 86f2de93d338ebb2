package dev.ledger.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The secret half of an API key, and the only form of it that is stored: its SHA-256. A slow
 * password hash (bcrypt, argon2) protects secrets that people choose and that can be guessed; a
 * generated key has 256 bits of entropy, so no amount of guessing finds one from its hash, and a
 * fast hash lets every request be checked without a cost worth attacking.
 */
public final class ApiKeySecret {
    /** Marks a ledger key in a config file or a leaked log line, so that secret scanners can find it. */
    static final String PREFIX = "lk_";
    private static final int SECRET_BYTES = 32;
    /** A configured key (LEDGER_ADMIN_API_KEY) is chosen by an operator: it must not be guessable either. */
    public static final int MIN_CONFIGURED_LENGTH = 32;
    public static final int MAX_LENGTH = 256;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeySecret() {
    }

    public static String generate() {
        byte[] secret = new byte[SECRET_BYTES];
        RANDOM.nextBytes(secret);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    static String sha256Hex(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** A secret as it can travel in a header: printable ASCII without spaces (RFC 6750's token68, loosely). */
    static boolean isWellFormed(String secret) {
        if (secret == null || secret.isEmpty() || secret.length() > MAX_LENGTH) return false;
        // a loop, not a stream: every request asks (a stream's set-up was 3% of a request thread's samples)
        for (int i = 0; i < secret.length(); i++) {
            char c = secret.charAt(i);
            if (c <= 0x20 || c >= 0x7f) return false;
        }
        return true;
    }

    /** Why an operator's key cannot be used, or null when it can. */
    public static String configuredKeyProblem(String secret) {
        if (!isWellFormed(secret)) return "must be printable ASCII without spaces, at most " + MAX_LENGTH + " characters";
        if (secret.length() < MIN_CONFIGURED_LENGTH) {
            return "must be at least " + MIN_CONFIGURED_LENGTH + " characters (for example `openssl rand -hex 32`)";
        }
        return null;
    }
}
