package dev.ledger.kafka;

import dev.ledger.domain.Outcome;

import java.util.Objects;

/**
 * One record of {@code ledger.results}, keyed by the aggregate the command addressed: how a command
 * ended, for the HTTP caller waiting on it.
 *
 * @param commandId the command this answers; a replayed outcome names the retry's command
 */
public record CommandResult(String aggregateId, String commandId, Outcome outcome) {
    public CommandResult {
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(outcome, "outcome");
    }
}
