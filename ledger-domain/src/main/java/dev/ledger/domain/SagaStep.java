package dev.ledger.domain;

import dev.ledger.domain.account.AccountCommand.CaptureReservation;
import dev.ledger.domain.account.AccountCommand.CreditAccount;
import dev.ledger.domain.account.AccountCommand.ReleaseReservation;
import dev.ledger.domain.account.AccountCommand.ReserveFunds;
import dev.ledger.domain.transfer.TransferCommand;

import java.util.Optional;

/**
 * The commands a transfer's saga sends itself, and the transfer each belongs to. A step has exactly
 * one id per transfer, {@code <transferId>/<type>}, by which a repeated step is recognised and skipped.
 */
public final class SagaStep {
    private SagaStep() {
    }

    /** The transfer a command belongs to: every transfer command and every saga step has one. */
    public static Optional<String> transferIdOf(LedgerCommand command) {
        return Optional.ofNullable(switch (command) {
            case ReserveFunds c -> c.transferId();
            case CreditAccount c -> c.transferId();
            case CaptureReservation c -> c.transferId();
            case ReleaseReservation c -> c.transferId();
            case TransferCommand c -> c.transferId();
            default -> null;
        });
    }

    /** A step the saga sends itself, as opposed to a client's command (InitiateTransfer starts a saga). */
    public static boolean isStep(LedgerCommand command) {
        return transferIdOf(command).isPresent() && !(command instanceof TransferCommand.InitiateTransfer);
    }

    /** The one id of a saga step: {@code <transferId>/<type>}. */
    public static String stepId(LedgerCommand step) {
        String transferId = transferIdOf(step)
                .orElseThrow(() -> new IllegalArgumentException(step + " is not a saga step"));
        return transferId + "/" + step.getClass().getSimpleName();
    }
}
