package dev.ledger.api;

/** The bound on requests waiting for an outcome is reached: the caller answers 429 and records nothing. */
final class TooManyWaitingException extends RuntimeException {
    TooManyWaitingException(int capacity) {
        super("more than " + capacity + " requests would be waiting", null, false, false);
    }
}
