package dev.ledger.domain;

import dev.ledger.domain.account.AccountCommand.CaptureReservation;
import dev.ledger.domain.account.AccountCommand.CreditAccount;
import dev.ledger.domain.account.AccountCommand.ReleaseReservation;
import dev.ledger.domain.account.AccountCommand.ReserveFunds;
import dev.ledger.domain.account.AccountEvent;
import dev.ledger.domain.transfer.TransferCommand;
import dev.ledger.domain.transfer.TransferEvent;

/**
 * Which transfer a command belongs to. The one place that knows it: the processor names and
 * deduplicates saga hops by it, the audit ties a dead-lettered step to its transfer, and the history
 * generator addresses its hops as the processor does.
 */
public final class SagaSteps {
    private SagaSteps() {
    }

    /** The transfer this command is a step of, or null for a command outside any saga (open, close). */
    public static String transferIdOf(LedgerCommand command) {
        return switch (command) {
            case ReserveFunds c -> c.transferId();
            case CreditAccount c -> c.transferId();
            case CaptureReservation c -> c.transferId();
            case ReleaseReservation c -> c.transferId();
            case TransferCommand c -> c.transferId();
            default -> null;
        };
    }

    /** The one id of a saga step, {@code <transferId>/<type>}: a repeated step is recognised by it and skipped. */
    public static String stepId(LedgerCommand step) {
        String transferId = transferIdOf(step);
        if (transferId == null) throw new IllegalArgumentException(step + " is not a saga step");
        return stepId(transferId, step.getClass());
    }

    /** The id of the step of this type of a transfer. */
    public static String stepId(String transferId, Class<? extends LedgerCommand> type) {
        return transferId + "/" + type.getSimpleName();
    }

    /** True for the commands the saga sends itself: every step of a transfer but the client's InitiateTransfer. */
    public static boolean isFollowUp(LedgerCommand command) {
        return transferIdOf(command) != null && !(command instanceof TransferCommand.InitiateTransfer);
    }

    /**
     * True for the events a saga step writes (whose envelope's command id is therefore the step's id),
     * false for those of a client's own command: opening, closing, initiating. The command processor
     * rebuilds its state from the event log and needs to know from an event alone which kind of command
     * wrote it; one exhaustive switch per aggregate, so a new event type must be placed here.
     */
    public static boolean writtenByStep(LedgerEvent event) {
        return switch (event) {
            case AccountEvent e -> switch (e) {
                case AccountEvent.AccountOpened o -> false;
                case AccountEvent.AccountClosed c -> false;
                case AccountEvent.FundsReserved r -> true;
                case AccountEvent.AccountCredited c -> true;
                case AccountEvent.AccountDebited d -> true; // a settlement's, under the id of the reservation it stands for
                case AccountEvent.ReservationCaptured c -> true;
                case AccountEvent.ReservationReleased r -> true;
            };
            case TransferEvent e -> switch (e) {
                case TransferEvent.TransferInitiated i -> false;
                case TransferEvent.TransferCompleted c -> true;
                case TransferEvent.TransferRejected r -> true;
            };
            default -> throw new IllegalArgumentException("not an event of this ledger: " + event);
        };
    }
}
