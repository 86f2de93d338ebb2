package dev.ledger.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Proof that a saga hop on the commands topic was written by the ledger's own processor: the header
 * {@value #HEADER} holds {@code HMAC-SHA256(ledger key, "saga hop" || the exact command bytes)}, under the
 * key whose id the record names ({@link LedgerKeys#HEADER}). Any producer may write to the commands topic,
 * but only the processor may say "the reservation of transfer X is held, credit it": a CreditAccount
 * without a valid seal would create money. The fixed prefix keeps a seal from ever verifying as the first
 * link of an event's hash chain. Not thread-safe: one per thread.
 */
public final class HopSeal {
    public static final String HEADER = "ledger-hop-seal";
    private static final byte[] PURPOSE = Arrays.copyOf("saga hop".getBytes(StandardCharsets.US_ASCII),
            HashChain.HASH_BYTES);

    private final Map<String, HashChain> macs;
    private final HashChain signing;

    public HopSeal(LedgerKeys keys) {
        this.macs = keys.chains();
        this.signing = macs.get(keys.signingId());
    }

    /** Sealed with the signing key: the record must name its id ({@link LedgerKeys#sign}). */
    public byte[] seal(byte[] commandBytes) {
        return signing.next(PURPOSE, commandBytes);
    }

    /**
     * @param keyId       the key id the record names ({@link LedgerKeys#idOf}); an id the ring does not hold
     *                    never verifies
     * @param claimedSeal the header's value, or null when the record has none
     */
    public boolean verifies(byte[] commandBytes, String keyId, byte[] claimedSeal) {
        HashChain mac = macs.get(keyId);
        return mac != null && mac.verifies(PURPOSE, commandBytes, claimedSeal);
    }
}
