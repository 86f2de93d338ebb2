package dev.ledger.kafka;

/**
 * What a writer of {@code ledger.events} keeps per aggregate: the folded domain state, the hash
 * that the next event's chain link starts from, and for a transfer the client command that
 * started it (its final outcome answers that command).
 */
public record Aggregate<S>(S state, byte[] lastHash, String originCommandId) {
    /** An aggregate that has no event yet. */
    public static <S> Aggregate<S> absent(S initial) {
        return new Aggregate<>(initial, HashChain.GENESIS, null);
    }
}
