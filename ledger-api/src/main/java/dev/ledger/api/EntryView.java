package dev.ledger.api;

/** One line of a statement: {@code amount} is signed, + for a credit, - for a debit. */
record EntryView(String entryId, String transferId, long amount, long balanceAfter, long accountSeq, String occurredAt) {
}
