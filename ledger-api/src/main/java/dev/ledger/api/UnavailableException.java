package dev.ledger.api;

/** A dependency could not take the request (Kafka refused the command, the server is stopping): a 503. */
final class UnavailableException extends RuntimeException {
    UnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
