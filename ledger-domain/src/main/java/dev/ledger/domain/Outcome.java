package dev.ledger.domain;

import java.util.Map;
import java.util.Objects;

/**
 * The answer owed to whoever sent a command, once it is certain.
 *
 * @param position for each account the outcome touched, the sequence number of the last event it
 *                 caused there: a read of those accounts must see at least that far
 * @param replayed true when the command repeated one already decided (an idempotent retry)
 */
public record Outcome(Status status, Reason reason, Map<String, Long> position, boolean replayed) {

    public enum Status { OPENED, CLOSED, COMPLETED, REJECTED, IN_FLIGHT, CONFLICT, REFUSED, NOT_FOUND }

    public Outcome {
        Objects.requireNonNull(status, "status");
        position = Map.copyOf(position);
    }

    public static Outcome of(Status status, Map<String, Long> position) {
        return new Outcome(status, null, position, false);
    }

    public static Outcome rejected(Reason reason, Map<String, Long> position) {
        return new Outcome(Status.REJECTED, reason, position, false);
    }

    public static Outcome refused(Reason reason) {
        return new Outcome(Status.REFUSED, reason, Map.of(), false);
    }

    public static Outcome conflict() {
        return new Outcome(Status.CONFLICT, null, Map.of(), false);
    }

    public Outcome asReplay() {
        return new Outcome(status, reason, position, true);
    }

    public boolean isFinal() {
        return status != Status.IN_FLIGHT;
    }
}
