package dev.ledger.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Proof that a saga hop on the commands topic was written by the ledger's own processor: the header
 * {@value #HEADER} holds {@code HMAC-SHA256(ledger key, "saga hop" || the exact command bytes)}. Any
 * producer may write to the commands topic, but only the processor may say "the reservation of
 * transfer X is held, credit it": a CreditAccount without a valid seal would create money. The
 * fixed prefix keeps a seal from ever verifying as the first link of an event's hash chain.
 * Not thread-safe: one per thread.
 */
public final class HopSeal {
    public static final String HEADER = "ledger-hop-seal";
    private static final byte[] PURPOSE = Arrays.copyOf("saga hop".getBytes(StandardCharsets.US_ASCII),
            HashChain.HASH_BYTES);

    private final HashChain mac;

    public HopSeal(byte[] ledgerKey) {
        this.mac = new HashChain(ledgerKey);
    }

    public byte[] seal(byte[] commandBytes) {
        return mac.next(PURPOSE, commandBytes);
    }

    /** @param claimedSeal the header's value, or null when the record has none */
    public boolean verifies(byte[] commandBytes, byte[] claimedSeal) {
        return mac.verifies(PURPOSE, commandBytes, claimedSeal);
    }
}
