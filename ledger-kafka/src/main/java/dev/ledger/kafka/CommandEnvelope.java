package dev.ledger.kafka;

import dev.ledger.domain.LedgerCommand;

import java.time.Instant;
import java.util.Objects;

/**
 * One record of {@code ledger.commands}.
 *
 * @param commandId     random per client request; {@code <transferId>/<type>} for the saga's hops, so
 *                      each hop has one id and is deduplicated by it
 * @param correlationId the transfer id for a saga hop, else the aggregate id
 * @param causationId   the event that caused this command, or the command id for a client's command
 * @param originCommandId for a saga step, the client command that started the saga, so that the step
 *                      after which the outcome is certain can answer it; null for a client's command
 *                      and for steps written before the field existed
 */
public record CommandEnvelope(String commandId, String type, Instant issuedAt, String correlationId,
                              String causationId, LedgerCommand command, String originCommandId) {
    public CommandEnvelope {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(causationId, "causationId");
        Objects.requireNonNull(command, "command");
    }

    public CommandEnvelope(String commandId, String type, Instant issuedAt, String correlationId, String causationId,
                           LedgerCommand command) {
        this(commandId, type, issuedAt, correlationId, causationId, command, null);
    }

    public static CommandEnvelope fromClient(String commandId, Instant issuedAt, LedgerCommand command) {
        return new CommandEnvelope(commandId, LedgerJson.typeName(command), issuedAt, command.aggregateId(),
                commandId, command);
    }
}
