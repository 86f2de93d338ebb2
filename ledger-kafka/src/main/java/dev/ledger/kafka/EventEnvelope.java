package dev.ledger.kafka;

import dev.ledger.domain.LedgerEvent;

import java.time.Instant;
import java.util.Objects;

/**
 * One record of {@code ledger.events}: the domain event plus what an auditor needs to place it.
 *
 * @param eventId       deterministic from the command, so a redelivered command yields the same id
 * @param seq           gapless per aggregate, starting at 1
 * @param occurredAt    when the command processor decided it (also the Kafka record timestamp)
 * @param correlationId the transfer id for every event of a transfer's saga, else the aggregate id
 * @param causationId   the event that caused the command, or the command itself when a client sent it
 */
public record EventEnvelope(String eventId, String type, int schemaVersion, String aggregateId, long seq,
                            Instant occurredAt, String commandId, String correlationId, String causationId,
                            LedgerEvent event) {
    public EventEnvelope {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(causationId, "causationId");
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(event, "event");
        if (seq < 1) throw new IllegalArgumentException("seq starts at 1");
    }
}
