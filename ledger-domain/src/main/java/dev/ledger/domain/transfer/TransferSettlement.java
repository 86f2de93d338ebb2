package dev.ledger.domain.transfer;

import dev.ledger.domain.account.AccountCommand.CreditAccount;
import dev.ledger.domain.account.AccountCommand.ReserveFunds;
import dev.ledger.domain.account.AccountDecider;
import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.domain.account.AccountEvent.AccountDebited;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.transfer.TransferEvent.TransferCompleted;
import dev.ledger.domain.transfer.TransferEvent.TransferInitiated;

import java.util.Optional;

/**
 * A new transfer decided whole, when one writer holds the transfer and both its accounts: the saga's
 * hops would all be applied in one atomic step anyway, so the debit is posted at once
 * ({@link AccountDebited}) instead of being held and then captured, and the transfer is initiated and
 * completed in the same step. Four events instead of five, and no hop decided in between.
 *
 * <p>It accepts only what the saga would complete: the reservation's and the credit's rules are the
 * account decider's own, asked with the very commands the saga would send. Anything else (a repeat, a
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
        if (!(transfer instanceof TransferState.Unknown) || request.debitAccountId().equals(request.creditAccountId())) {
            return Optional.empty();
        }
        var reserve = new ReserveFunds(request.debitAccountId(), request.transferId(), request.amount(),
                request.currency(), request.creditAccountId());
        if (AccountDecider.decide(reserve, debit).events().isEmpty()) return Optional.empty(); // refused
        long debitSeq = debit.version() + 1;
        var creditStep = new CreditAccount(request.creditAccountId(), request.transferId(), request.amount(),
                request.currency(), request.debitAccountId(), debitSeq);
        var credited = AccountDecider.decide(creditStep, credit).events();
        if (credited.isEmpty()) return Optional.empty(); // refused: the saga releases the hold it takes
        return Optional.of(new Settled(
                new TransferInitiated(request.transferId(), request.debitAccountId(), request.creditAccountId(),
                        request.amount(), request.currency(), request.reference(), request.metadata()),
                new AccountDebited(request.debitAccountId(), request.transferId(), request.amount(),
                        request.creditAccountId()),
                (AccountCredited) credited.getFirst(),
                new TransferCompleted(request.transferId(), debitSeq, credit.version() + 1)));
    }
}
