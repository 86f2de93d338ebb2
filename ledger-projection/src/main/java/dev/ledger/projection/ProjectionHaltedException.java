package dev.ledger.projection;

/**
 * The projection cannot go on without skipping or corrupting something: a gap in an aggregate's
 * sequence, an event it cannot apply, a row PostgreSQL refuses. Never retried, never skipped: the
 * event's partition is stuck and parked ({@link ReadModelBuffer}) until a person fixes the cause. One
 * that no single event explains reaches {@link ProjectionFailurePolicy} and stops the projection.
 */
public final class ProjectionHaltedException extends RuntimeException {
    public ProjectionHaltedException(String message) {
        super(message);
    }

    public ProjectionHaltedException(String message, Throwable cause) {
        super(message, cause);
    }
}
