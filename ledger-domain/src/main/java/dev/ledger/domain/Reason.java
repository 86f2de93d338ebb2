package dev.ledger.domain;

/** Why the ledger said no. The first five reject transfers; the last two refuse to close an account. */
public enum Reason {
    INSUFFICIENT_FUNDS,
    ACCOUNT_NOT_FOUND,
    ACCOUNT_CLOSED,
    CURRENCY_MISMATCH,
    OVERFLOW,
    BALANCE_NOT_ZERO,
    FUNDS_PENDING
}
