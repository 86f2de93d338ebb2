package dev.ledger.kafka;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * The tamper evidence of an aggregate's history: {@code hash = HMAC-SHA256(key, prevHash || value)}
 * over the exact value bytes written, carried in the record header {@value #HEADER}. Without the
 * ledger's key nobody can extend a chain so that it verifies. Not thread-safe: one per thread.
 */
public final class HashChain {
    public static final String HEADER = "ledger-hash";
    public static final int HASH_BYTES = 32;
    /** The "previous hash" of an aggregate's first event. */
    public static final byte[] GENESIS = new byte[HASH_BYTES];

    private final Mac mac;

    public HashChain(byte[] ledgerKey) {
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(ledgerKey, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    public byte[] next(byte[] previousHash, byte[] valueBytes) {
        mac.update(previousHash);
        return mac.doFinal(valueBytes);
    }

    public boolean verifies(byte[] previousHash, byte[] valueBytes, byte[] claimedHash) {
        return claimedHash != null && MessageDigest.isEqual(next(previousHash, valueBytes), claimedHash);
    }
}
