package dev.ledger.domain;

/**
 * Amounts are longs of minor units. Every sum goes through here so that an overflow is an
 * {@link ArithmeticException}, never a silently wrapped balance.
 */
public final class Money {
    /** The largest amount the API accepts: every JSON client reads it exactly. */
    public static final long MAX_AMOUNT = (1L << 53) - 1;

    private Money() {
    }

    public static long add(long a, long b) {
        return Math.addExact(a, b);
    }

    public static long subtract(long a, long b) {
        return Math.subtractExact(a, b);
    }

    public static boolean isValidAmount(long amountMinor) {
        return amountMinor >= 1 && amountMinor <= MAX_AMOUNT;
    }
}
