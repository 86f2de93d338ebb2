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
    /**
     * A transfer's own entry in a position: {@code transfer/<id>}. '/' never occurs in an id, so the
     * entry cannot be mistaken for an account's, and a read of the transfer can wait for it too.
     */
    public static final String TRANSFER_POSITION_PREFIX = "transfer/";

    public static String transferPositionKey(String transferId) {
        return TRANSFER_POSITION_PREFIX + transferId;
    }

    /**
     * A transfer's posted movement on one account: {@code movement/<accountId>/<transferId>}, reached
     * (value 1) once the account's statement holds the transfer's entry. It names an effect whose
     * sequence number is not known yet when the outcome is answered: the capture of a debit that is
     * certain, but still on its way.
     */
    public static final String MOVEMENT_POSITION_PREFIX = "movement/";

    public static String movementPositionKey(String accountId, String transferId) {
        return MOVEMENT_POSITION_PREFIX + accountId + "/" + transferId;
    }

    public CommandResult {
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(outcome, "outcome");
    }
}
