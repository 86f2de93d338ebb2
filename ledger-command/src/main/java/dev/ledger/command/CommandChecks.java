package dev.ledger.command;

import dev.ledger.domain.ClientText;
import dev.ledger.domain.Ids;
import dev.ledger.domain.LedgerCommand;
import dev.ledger.domain.Money;
import dev.ledger.domain.account.AccountCommand;
import dev.ledger.domain.account.AccountCommand.CaptureReservation;
import dev.ledger.domain.account.AccountCommand.CloseAccount;
import dev.ledger.domain.account.AccountCommand.CreditAccount;
import dev.ledger.domain.account.AccountCommand.OpenAccount;
import dev.ledger.domain.account.AccountCommand.ReleaseReservation;
import dev.ledger.domain.account.AccountCommand.ReserveFunds;
import dev.ledger.domain.transfer.TransferCommand;
import dev.ledger.domain.transfer.TransferCommand.CompleteTransfer;
import dev.ledger.domain.transfer.TransferCommand.InitiateTransfer;
import dev.ledger.domain.transfer.TransferCommand.RejectTransfer;
import dev.ledger.domain.transfer.TransferRequest;
import dev.ledger.kafka.AggregatePartitions;

import java.util.Map;

/**
 * The last gate before the deciders: a command that parsed but could never be valid (a null field,
 * a bad id, an amount out of range, text the read model could not store such as a NUL in a
 * reference) goes to the dead-letter topic instead of stopping the partition. The API already
 * refuses such input by the same rules (Ids, ClientText); this guards against any other producer.
 */
final class CommandChecks {
    private CommandChecks() {
    }

    /**
     * @param partitionRead the partition of {@code ledger.commands} the command was read from: its
     *                      aggregate must live there, so that one task decides every command of its
     *                      aggregates. A producer may key a record by one aggregate, put commands of
     *                      others in it, or choose the partition itself; a command decided off its
     *                      aggregate's partition would give the aggregate a second writer (its events go
     *                      to its own partition of the events topic, which another task owns).
     * @return why the command is invalid, or null when it may be decided
     */
    static String problem(LedgerCommand command, int partitionRead, AggregatePartitions partitions) {
        String problem = switch (command) {
            case AccountCommand a -> accountProblem(a);
            case TransferCommand t -> transferProblem(t);
            default -> "unknown command kind " + command.getClass().getName();
        };
        if (problem != null) return problem;
        int home = partitions.partitionOf(command.aggregateId());
        return home == partitionRead ? null : "aggregate '" + command.aggregateId() + "' lives on partition " + home
                + " of the commands topic, not on partition " + partitionRead + " it was read from";
    }

    private static String accountProblem(AccountCommand command) {
        if (!Ids.isValid(command.accountId())) return "invalid accountId";
        return switch (command) {
            case OpenAccount c -> c.currency() == null ? "missing currency"
                    : c.overdraftLimit() < 0 || c.overdraftLimit() > Money.MAX_AMOUNT ? "overdraftLimit out of range"
                    : metadataProblem(c.metadata());
            case CloseAccount c -> null;
            case ReserveFunds c -> hop(c.transferId(), c.amount(), c.currency() != null, c.creditAccountId());
            case CreditAccount c -> hop(c.transferId(), c.amount(), c.currency() != null, c.debitAccountId());
            case CaptureReservation c -> hop(c.transferId(), 1, true, c.creditAccountId());
            case ReleaseReservation c -> c.reason() == null ? "missing reason" : hop(c.transferId(), 1, true, c.accountId());
        };
    }

    private static String transferProblem(TransferCommand command) {
        return switch (command) {
            case InitiateTransfer c -> requestProblem(c.request());
            case CompleteTransfer c -> Ids.isValid(c.transferId()) ? null : "invalid transferId";
            case RejectTransfer c -> !Ids.isValid(c.transferId()) ? "invalid transferId"
                    : c.reason() == null ? "missing reason" : null;
        };
    }

    private static String requestProblem(TransferRequest r) {
        if (r == null) return "missing request";
        if (!Ids.isValid(r.transferId())) return "invalid transferId";
        if (!Ids.isValid(r.debitAccountId()) || !Ids.isValid(r.creditAccountId())) return "invalid account id";
        if (r.debitAccountId().equals(r.creditAccountId())) return "debit and credit account are the same";
        if (!Money.isValidAmount(r.amount())) return "amount out of range";
        if (r.currency() == null) return "missing currency";
        String reference = ClientText.referenceProblem(r.reference());
        return reference != null ? "reference " + reference : metadataProblem(r.metadata());
    }

    /** The first refused entry, named as the API names it. */
    private static String metadataProblem(Map<String, String> metadata) {
        return ClientText.metadataViolations("metadata", metadata).stream()
                .findFirst().map(v -> v.field() + " " + v.reason()).orElse(null);
    }

    private static String hop(String transferId, long amount, boolean hasCurrency, String otherAccountId) {
        if (!Ids.isValid(transferId)) return "invalid transferId";
        if (!Money.isValidAmount(amount)) return "amount out of range";
        if (!hasCurrency) return "missing currency";
        return Ids.isValid(otherAccountId) ? null : "invalid account id";
    }
}
