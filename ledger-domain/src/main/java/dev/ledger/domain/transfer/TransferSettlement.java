package dev.ledger.domain.transfer;

import dev.ledger.domain.account.AccountCommand.CaptureReservation;
import dev.ledger.domain.account.AccountCommand.CreditAccount;
import dev.ledger.domain.account.AccountCommand.ReserveFunds;
import dev.ledger.domain.account.AccountDecider;
import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.domain.account.AccountEvent.AccountDebited;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.transfer.TransferCommand.CompleteTransfer;
import dev.ledger.domain.transfer.TransferCommand.InitiateTransfer;
import dev.ledger.domain.transfer.TransferEvent.TransferCompleted;
import dev.ledger.domain.transfer.TransferEvent.TransferInitiated;

import java.util.Optional;

/**
 * A new transfer decided whole, when one writer holds the transfer and both its accounts: the saga's
 * hops would all be applied in one atomic step anyway, so the debit is posted at once
 * ({@link AccountDebited}) instead of being held and then captured, and the transfer is initiated and
 * completed in the same step. Four events instead of five, and no hop decided in between.
 *
 * <p>It accepts only what the saga would complete: every rule is the deciders' own, each asked with the
 * very command the step before it sends in the saga. Anything else (a repeat, a
 * conflict, a refusal on either side) is left to the saga, which answers it as it always has.
 */
public final class TransferSettlement {

    /** The events of a settled transfer: the transfer's two, then the debit account's and the credit account's. */
    public record Settled(TransferInitiated initiated, AccountDebited debited, AccountCredited credited,
                          TransferCompleted completed) {
    }

    private TransferSettlement() {
    }

    /**
     * @param transfer the transfer's state (only a transfer not yet asked for is settled)
     * @param debit    the debit account's state
     * @param credit   the credit account's state (another account: a transfer to itself is refused earlier)
     * @return the settlement, or empty when the transfer must take the saga
     */
    public static Optional<Settled> decide(TransferRequest request, TransferState transfer, AccountState debit,
                                           AccountState credit) {
        if (request.debitAccountId().equals(request.creditAccountId())) return Optional.empty();
        // each side decided by its own decider, with the command the step before would send
        var initiate = TransferDecider.decide(new InitiateTransfer(request), transfer);
        if (initiate.events().isEmpty()) return Optional.empty(); // a repeat or a conflict
        var reserve = (ReserveFunds) initiate.followUps().getFirst();
        var reserved = AccountDecider.decide(reserve, debit);
        if (reserved.events().isEmpty()) return Optional.empty(); // refused
        var creditStep = (CreditAccount) reserved.followUps().getFirst();
        var credited = AccountDecider.decide(creditStep, credit);
        if (credited.events().isEmpty()) return Optional.empty(); // refused: the saga releases the hold it takes
        var capture = (CaptureReservation) credited.followUps().getFirst();
        var initiated = (TransferInitiated) initiate.events().getFirst();
        // the debit takes the seq the reservation would have had, and the completion names it
        var complete = new CompleteTransfer(request.transferId(), creditStep.debitAccountSeq(),
                capture.creditAccountSeq());
        var completed = TransferDecider.decide(complete, TransferDecider.evolve(transfer, initiated)).events();
        var debited = new AccountDebited(reserve.accountId(), reserve.transferId(), reserve.amount(),
                reserve.creditAccountId());
        return Optional.of(new Settled(initiated, debited, (AccountCredited) credited.events().getFirst(),
                (TransferCompleted) completed.getFirst()));
    }
}
