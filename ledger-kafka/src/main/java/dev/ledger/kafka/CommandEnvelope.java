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
 */
public record CommandEnvelope(String commandId, String type, Instant issuedAt, String correlationId,
                              String causationId, LedgerCommand command) {
    public CommandEnvelope {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(causationId, "causationId");
        Objects.requireNonNull(command, "command");
    }

    public static CommandEnvelope fromClient(String commandId, Instant issuedAt, LedgerCommand command) {
        return new CommandEnvelope(commandId, LedgerJson.typeName(command), issuedAt, command.aggregateId(),
                commandId, command);
    }
}
