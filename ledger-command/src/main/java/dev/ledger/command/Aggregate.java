package dev.ledger.command;

/**
 * What the processor keeps per aggregate in its state store: the folded domain state, the hash
 * that the next event's chain link starts from, and for a transfer the client command that
 * started it (its final outcome answers that command).
 */
record Aggregate<S>(S state, byte[] lastHash, String originCommandId) {
}
