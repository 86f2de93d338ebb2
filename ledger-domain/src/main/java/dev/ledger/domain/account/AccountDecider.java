package dev.ledger.domain.account;

import dev.ledger.domain.Decision;
import dev.ledger.domain.Money;
import dev.ledger.domain.Outcome;
import dev.ledger.domain.Outcome.Status;
import dev.ledger.domain.Reason;
import dev.ledger.domain.account.AccountCommand.CaptureReservation;
import dev.ledger.domain.account.AccountCommand.CloseAccount;
import dev.ledger.domain.account.AccountCommand.CreditAccount;
import dev.ledger.domain.account.AccountCommand.OpenAccount;
import dev.ledger.domain.account.AccountCommand.ReleaseReservation;
import dev.ledger.domain.account.AccountCommand.ReserveFunds;
import dev.ledger.domain.account.AccountEvent.AccountClosed;
import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.domain.account.AccountEvent.AccountDebited;
import dev.ledger.domain.account.AccountEvent.AccountOpened;
import dev.ledger.domain.account.AccountEvent.FundsReserved;
import dev.ledger.domain.account.AccountEvent.ReservationCaptured;
import dev.ledger.domain.account.AccountEvent.ReservationReleased;
import dev.ledger.domain.account.AccountState.Closed;
import dev.ledger.domain.account.AccountState.Open;
import dev.ledger.domain.account.AccountState.Unopened;
import dev.ledger.domain.transfer.TransferCommand.CompleteTransfer;
import dev.ledger.domain.transfer.TransferCommand.RejectTransfer;

import java.util.Map;

/** The account aggregate: pure decide and evolve functions, no I/O. */
public final class AccountDecider {

    public static final AccountState INITIAL = new Unopened();

    private AccountDecider() {
    }

    public static Decision<AccountEvent> decide(AccountCommand command, AccountState state) {
        return switch (command) {
            case OpenAccount c -> open(c, state);
            case CloseAccount c -> close(c, state);
            case ReserveFunds c -> reserve(c, state);
            case CreditAccount c -> credit(c, state);
            case CaptureReservation c -> capture(c, state);
            case ReleaseReservation c -> release(c, state);
        };
    }

    public static AccountState evolve(AccountState state, AccountEvent event) {
        return switch (event) {
            case AccountOpened e -> new Open(AccountProfile.of(e), Balances.ZERO, Map.of(), state.version() + 1);
            case AccountClosed e -> {
                Open open = requireOpen(state, e);
                yield new Closed(open.profile(), open.balances(), open.version() + 1);
            }
            case FundsReserved e -> {
                Open open = requireOpen(state, e);
                yield open.with(open.balances().reserve(e.amount()), open.holdsPlus(e.transferId(), e.amount()));
            }
            case AccountCredited e -> {
                Open open = requireOpen(state, e);
                yield open.with(open.balances().credit(e.amount()), open.holds());
            }
            case AccountDebited e -> {
                Open open = requireOpen(state, e);
                yield open.with(open.balances().debit(e.amount()), open.holds());
            }
            case ReservationCaptured e -> {
                Open open = requireOpen(state, e);
                yield open.with(open.balances().capture(e.amount()), open.holdsMinus(e.transferId()));
            }
            case ReservationReleased e -> {
                Open open = requireOpen(state, e);
                yield open.with(open.balances().release(e.amount()), open.holdsMinus(e.transferId()));
            }
        };
    }

    private static Decision<AccountEvent> open(OpenAccount c, AccountState state) {
        return switch (state) {
            case Unopened u -> Decision.append(
                    new AccountOpened(c.accountId(), c.currency(), c.overdraftLimit(), c.unlimitedOverdraft(), c.metadata()),
                    Outcome.of(Status.OPENED, Map.of(c.accountId(), 1L)));
            case Open o -> o.profile().sameAs(c) ? replayOpened(c) : Decision.answer(Outcome.conflict());
            case Closed cl -> cl.profile().sameAs(c) ? replayOpened(c) : Decision.answer(Outcome.conflict());
        };
    }

    private static Decision<AccountEvent> replayOpened(OpenAccount c) {
        return Decision.answer(Outcome.of(Status.OPENED, Map.of(c.accountId(), 1L)).asReplay());
    }

    private static Decision<AccountEvent> close(CloseAccount c, AccountState state) {
        return switch (state) {
            case Unopened u -> Decision.answer(Outcome.of(Status.NOT_FOUND, Map.of()));
            case Closed cl -> Decision.answer(Outcome.of(Status.CLOSED, Map.of(c.accountId(), cl.version())).asReplay());
            case Open o when o.balances().balance() != 0 -> Decision.answer(Outcome.refused(Reason.BALANCE_NOT_ZERO));
            case Open o when !o.balances().isSettled() || !o.holds().isEmpty() ->
                    Decision.answer(Outcome.refused(Reason.FUNDS_PENDING));
            case Open o -> Decision.append(new AccountClosed(c.accountId()),
                    Outcome.of(Status.CLOSED, Map.of(c.accountId(), o.version() + 1)));
        };
    }

    /** Saga hop 2: hold the money on the debit account, or end the transfer with the reason. */
    private static Decision<AccountEvent> reserve(ReserveFunds c, AccountState state) {
        if (state instanceof Open o && o.holds().containsKey(c.transferId())) {
            return Decision.nothing(); // this hop was applied already
        }
        Reason refusal = switch (state) {
            case Unopened u -> Reason.ACCOUNT_NOT_FOUND;
            case Closed cl -> Reason.ACCOUNT_CLOSED;
            case Open o -> reserveRefusal(c, o);
        };
        if (refusal != null) {
            return Decision.send(new RejectTransfer(c.transferId(), refusal, Map.of()));
        }
        Open open = (Open) state;
        return Decision.append(
                new FundsReserved(c.accountId(), c.transferId(), c.amount(), c.creditAccountId()),
                new CreditAccount(c.creditAccountId(), c.transferId(), c.amount(), c.currency(),
                        c.accountId(), open.version() + 1));
    }

    private static Reason reserveRefusal(ReserveFunds c, Open o) {
        if (!o.profile().currency().equals(c.currency())) return Reason.CURRENCY_MISMATCH;
        Balances b = o.balances();
        long debitsIfAllCaptured;
        try {
            // every hold may yet be captured, so posted plus held debits must stay representable
            debitsIfAllCaptured = Money.add(Money.add(b.debitsPosted(), b.debitsPending()), c.amount());
        } catch (ArithmeticException overflow) {
            return Reason.OVERFLOW;
        }
        if (o.profile().unlimitedOverdraft()) return null;
        // available() < amount, rearranged: available itself can exceed a long when credits are high
        return debitsIfAllCaptured - b.creditsPosted() > o.profile().overdraftLimit() ? Reason.INSUFFICIENT_FUNDS : null;
    }

    /** Saga hop 3: post the credit, or ask the debit side to give its hold back. */
    private static Decision<AccountEvent> credit(CreditAccount c, AccountState state) {
        Reason refusal = switch (state) {
            case Unopened u -> Reason.ACCOUNT_NOT_FOUND;
            case Closed cl -> Reason.ACCOUNT_CLOSED;
            case Open o -> creditRefusal(c, o);
        };
        if (refusal != null) {
            return Decision.send(new ReleaseReservation(c.debitAccountId(), c.transferId(), refusal));
        }
        Open open = (Open) state;
        return Decision.append(
                new AccountCredited(c.accountId(), c.transferId(), c.amount(), c.debitAccountId()),
                new CaptureReservation(c.debitAccountId(), c.transferId(), c.accountId(), open.version() + 1));
    }

    private static Reason creditRefusal(CreditAccount c, Open o) {
        if (!o.profile().currency().equals(c.currency())) return Reason.CURRENCY_MISMATCH;
        try {
            o.balances().credit(c.amount()).balance();
            return null;
        } catch (ArithmeticException overflow) {
            return Reason.OVERFLOW;
        }
    }

    /** Saga hop 4: the credit landed, so the hold becomes a posted debit and the transfer completes. */
    private static Decision<AccountEvent> capture(CaptureReservation c, AccountState state) {
        if (!(state instanceof Open o) || !o.holds().containsKey(c.transferId())) {
            return Decision.nothing(); // captured already: a hold only leaves by capture or release
        }
        long amount = o.holds().get(c.transferId());
        return Decision.append(
                new ReservationCaptured(c.accountId(), c.transferId(), amount, c.creditAccountId()),
                new CompleteTransfer(c.transferId(), o.version() + 1, c.creditAccountSeq()));
    }

    /** Compensation of hop 2: the credit side refused, so the hold is given back. */
    private static Decision<AccountEvent> release(ReleaseReservation c, AccountState state) {
        if (!(state instanceof Open o) || !o.holds().containsKey(c.transferId())) {
            return Decision.nothing();
        }
        long amount = o.holds().get(c.transferId());
        return Decision.append(
                new ReservationReleased(c.accountId(), c.transferId(), amount, c.reason()),
                new RejectTransfer(c.transferId(), c.reason(), Map.of(c.accountId(), o.version() + 1)));
    }

    private static Open requireOpen(AccountState state, AccountEvent event) {
        if (state instanceof Open open) return open;
        throw new IllegalStateException("event " + event + " cannot apply to account state " + state);
    }
}
