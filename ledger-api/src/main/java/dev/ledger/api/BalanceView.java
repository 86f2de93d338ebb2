package dev.ledger.api;

/** The posted balance of an account as of an instant. */
record BalanceView(String accountId, String currency, String asOf, long balance) {
}
