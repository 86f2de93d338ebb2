package dev.ledger.api;

/** The bound on requests waiting for an outcome is reached: the caller answers 429 and records nothing. */
final class TooManyWaitingException extends RuntimeException {
    TooManyWaitingException(int capacity) {
        this(capacity, "requests");
    }

    /** @param what what is counted against the bound: requests, or the accounts their positions name */
    TooManyWaitingException(int capacity, String what) {
        super("more than " + capacity + " " + what + " would be waiting", null, false, false);
    }
}
