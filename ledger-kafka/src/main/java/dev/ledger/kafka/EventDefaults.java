package dev.ledger.kafka;

import dev.ledger.domain.LedgerEvent;
import dev.ledger.domain.account.AccountCommand.CaptureReservation;
import dev.ledger.domain.account.AccountCommand.CreditAccount;
import dev.ledger.domain.account.AccountCommand.ReleaseReservation;
import dev.ledger.domain.account.AccountCommand.ReserveFunds;
import dev.ledger.domain.account.AccountEvent;
import dev.ledger.domain.transfer.TransferCommand.CompleteTransfer;
import dev.ledger.domain.transfer.TransferCommand.RejectTransfer;
import dev.ledger.domain.transfer.TransferEvent;

/**
 * The envelope fields the binary event format may leave out (DERIVED in
 * {@code schemas/proto/ledger_records.proto}): what each is for every envelope the command processor
 * writes, rebuilt from the fields that are always on the wire. The one place of these rules: the writer
 * leaves a field out exactly when it equals the value here, the reader puts the value here back, so an
 * envelope reads back equal whatever it holds. Changing a rule changes what old bytes mean: never.
 */
final class EventDefaults {
    /** Every event type's version when the binary format was made. */
    static final int SCHEMA_VERSION = 1;

    private EventDefaults() {
    }

    /** The aggregate the event's data belongs to. */
    static String aggregateId(LedgerEvent event) {
        return event.aggregateId();
    }

    /** The transfer id for an event of a transfer or of its saga (a client's InitiateTransfer too), else the aggregate id. */
    static String correlationId(LedgerEvent event) {
        String transferId = transferIdOf(event);
        return transferId != null ? transferId : event.aggregateId();
    }

    /** For an event a saga step writes, that step's id ({@code <transferId>/<step type>}); null for a client's command. */
    static String commandId(LedgerEvent event) {
        String step = switch (event) {
            case AccountEvent.FundsReserved e -> ReserveFunds.class.getSimpleName();
            case AccountEvent.AccountDebited e -> ReserveFunds.class.getSimpleName(); // the step it stands for
            case AccountEvent.AccountCredited e -> CreditAccount.class.getSimpleName();
            case AccountEvent.ReservationCaptured e -> CaptureReservation.class.getSimpleName();
            case AccountEvent.ReservationReleased e -> ReleaseReservation.class.getSimpleName();
            case TransferEvent.TransferCompleted e -> CompleteTransfer.class.getSimpleName();
            case TransferEvent.TransferRejected e -> RejectTransfer.class.getSimpleName();
            default -> null;
        };
        return step == null ? null : transferIdOf(event) + "/" + step;
    }

    /** The command itself: a client's command causes its own events, and is its own cause. */
    static String causationId(String commandId) {
        return commandId;
    }

    private static String transferIdOf(LedgerEvent event) {
        return switch (event) {
            case TransferEvent e -> e.transferId();
            case AccountEvent.FundsReserved e -> e.transferId();
            case AccountEvent.AccountCredited e -> e.transferId();
            case AccountEvent.AccountDebited e -> e.transferId();
            case AccountEvent.ReservationCaptured e -> e.transferId();
            case AccountEvent.ReservationReleased e -> e.transferId();
            default -> null;
        };
    }
}
