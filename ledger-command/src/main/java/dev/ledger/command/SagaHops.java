package dev.ledger.command;

import dev.ledger.domain.LedgerCommand;
import dev.ledger.domain.account.AccountCommand.CaptureReservation;
import dev.ledger.domain.account.AccountCommand.CreditAccount;
import dev.ledger.domain.account.AccountCommand.ReleaseReservation;
import dev.ledger.domain.account.AccountCommand.ReserveFunds;
import dev.ledger.domain.transfer.TransferCommand;

/**
 * The commands the saga sends itself. Each has exactly one id per transfer,
 * {@code <transferId>/<type>}, by which a repeated hop is recognised and skipped.
 */
final class SagaHops {
    private SagaHops() {
    }

    static boolean isHop(LedgerCommand command) {
        return transferIdOrNull(command) != null && !(command instanceof TransferCommand.InitiateTransfer);
    }

    static String transferId(LedgerCommand command) {
        String id = transferIdOrNull(command);
        if (id == null) throw new IllegalArgumentException(command + " is not a saga hop");
        return id;
    }

    private static String transferIdOrNull(LedgerCommand command) {
        return switch (command) {
            case ReserveFunds c -> c.transferId();
            case CreditAccount c -> c.transferId();
            case CaptureReservation c -> c.transferId();
            case ReleaseReservation c -> c.transferId();
            case TransferCommand c -> c.transferId();
            default -> null;
        };
    }
}
