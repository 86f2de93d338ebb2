package dev.ledger.domain.transfer;

import dev.ledger.domain.account.AccountCommand.CaptureReservation;
import dev.ledger.domain.account.AccountCommand.CreditAccount;
import dev.ledger.domain.account.AccountCommand.ReserveFunds;
import dev.ledger.domain.account.AccountDecider;
import dev.ledger.domain.account.AccountEvent;
import dev.ledger.domain.account.AccountEvent.AccountClosed;
import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.domain.account.AccountEvent.AccountDebited;
import dev.ledger.domain.account.AccountEvent.AccountOpened;
import dev.ledger.domain.account.AccountEvent.FundsReserved;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.transfer.TransferEvent.TransferCompleted;
import dev.ledger.domain.transfer.TransferEvent.TransferInitiated;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A transfer settled whole must end exactly where the saga would have: the same transfers settle, with
 * the same balances on both accounts, and every other one is left to the saga.
 */
final class TransferSettlementTest {
    private static final Currency EUR = Currency.getInstance("EUR");
    private static final Currency JPY = Currency.getInstance("JPY");

    /** An account as its history made it: opened (or not), funded, holding for another transfer, perhaps closed. */
    record AccountSetup(boolean opened, Currency currency, long overdraftLimit, boolean unlimited, long credited,
                        long heldElsewhere, boolean closed) {
        AccountState state(String id) {
            List<AccountEvent> history = new ArrayList<>();
            if (opened) {
                history.add(new AccountOpened(id, currency, overdraftLimit, unlimited, Map.of()));
                if (credited > 0) history.add(new AccountCredited(id, "funding", credited, "bank"));
                if (heldElsewhere > 0) history.add(new FundsReserved(id, "other", heldElsewhere, "elsewhere"));
                if (closed) history.add(new AccountClosed(id));
            }
            AccountState state = AccountDecider.INITIAL;
            for (AccountEvent e : history) state = AccountDecider.evolve(state, e);
            return state;
        }
    }

    @Property(tries = 2000)
    void settles_exactly_the_transfers_the_saga_completes_with_the_same_balances(
            @ForAll("accounts") AccountSetup debitSetup, @ForAll("accounts") AccountSetup creditSetup,
            @ForAll("amounts") long amount, @ForAll("currencies") Currency currency) {
        var request = new TransferRequest("t1", "alice", "bob", amount, currency, null, Map.of());
        AccountState debit = debitSetup.state("alice");
        AccountState credit = creditSetup.state("bob");

        Optional<TransferSettlement.Settled> settled =
                TransferSettlement.decide(request, TransferDecider.INITIAL, debit, credit);
        Optional<List<AccountState>> saga = sagaOutcome(request, debit, credit);
        Statistics.label("settled").collect(settled.isPresent());

        assertThat(settled.isPresent()).as("settled exactly when the saga completes").isEqualTo(saga.isPresent());
        if (settled.isEmpty()) return;
        TransferSettlement.Settled s = settled.get();
        AccountState debitAfter = AccountDecider.evolve(debit, s.debited());
        AccountState creditAfter = AccountDecider.evolve(credit, s.credited());
        assertThat(open(debitAfter).balances()).isEqualTo(open(saga.get().get(0)).balances());
        assertThat(open(debitAfter).holds()).isEqualTo(open(saga.get().get(0)).holds());
        assertThat(open(creditAfter).balances()).isEqualTo(open(saga.get().get(1)).balances());
        assertThat(s.completed()).isEqualTo(new TransferCompleted("t1", debitAfter.version(), creditAfter.version()));
    }

    @Test
    void a_funded_transfer_is_initiated_debited_credited_and_completed_in_one_step() {
        AccountState debit = new AccountSetup(true, EUR, 0, false, 100, 0, false).state("alice");
        AccountState credit = new AccountSetup(true, EUR, 0, false, 0, 0, false).state("bob");
        var request = new TransferRequest("t1", "alice", "bob", 60, EUR, "invoice 7", Map.of("k", "v"));

        var settled = TransferSettlement.decide(request, TransferDecider.INITIAL, debit, credit).orElseThrow();

        assertThat(settled).isEqualTo(new TransferSettlement.Settled(
                new TransferInitiated("t1", "alice", "bob", 60, EUR, "invoice 7", Map.of("k", "v")),
                new AccountDebited("alice", "t1", 60, "bob"),
                new AccountCredited("bob", "t1", 60, "alice"),
                new TransferCompleted("t1", 3, 2)));
        TransferState transfer = TransferDecider.evolve(TransferDecider.evolve(TransferDecider.INITIAL,
                settled.initiated()), settled.completed());
        assertThat(transfer).isEqualTo(new TransferState.Completed(request, Map.of("alice", 3L, "bob", 2L),
                TransferState.SETTLED_VERSION));
    }

    @Test
    void a_transfer_asked_for_before_is_left_to_the_saga_which_replays_or_refuses_it() {
        AccountState funded = new AccountSetup(true, EUR, 0, false, 100, 0, false).state("alice");
        AccountState empty = new AccountSetup(true, EUR, 0, false, 0, 0, false).state("bob");
        var request = new TransferRequest("t1", "alice", "bob", 60, EUR, null, Map.of());
        TransferState inFlight = TransferDecider.evolve(TransferDecider.INITIAL, new TransferInitiated("t1", "alice",
                "bob", 60, EUR, null, Map.of()));

        assertThat(TransferSettlement.decide(request, inFlight, funded, empty)).isEmpty();
    }

    /** The saga's hops by hand, in the order the processor applies them: the accounts' final states, or empty if rejected. */
    private static Optional<List<AccountState>> sagaOutcome(TransferRequest r, AccountState debit, AccountState credit) {
        var reserved = AccountDecider.decide(new ReserveFunds(r.debitAccountId(), r.transferId(), r.amount(),
                r.currency(), r.creditAccountId()), debit).events();
        if (reserved.isEmpty()) return Optional.empty();
        AccountState held = AccountDecider.evolve(debit, reserved.getFirst());
        var credited = AccountDecider.decide(new CreditAccount(r.creditAccountId(), r.transferId(), r.amount(),
                r.currency(), r.debitAccountId(), held.version()), credit).events();
        if (credited.isEmpty()) return Optional.empty();
        AccountState creditAfter = AccountDecider.evolve(credit, credited.getFirst());
        var captured = AccountDecider.decide(new CaptureReservation(r.debitAccountId(), r.transferId(),
                r.creditAccountId(), creditAfter.version()), held).events();
        return Optional.of(List.of(AccountDecider.evolve(held, captured.getFirst()), creditAfter));
    }

    private static AccountState.Open open(AccountState state) {
        assertThat(state).isInstanceOf(AccountState.Open.class);
        return (AccountState.Open) state;
    }

    @Provide
    Arbitrary<AccountSetup> accounts() {
        Arbitrary<Long> large = Arbitraries.longs().between(Long.MAX_VALUE - 1_000, Long.MAX_VALUE);
        Arbitrary<Long> credited = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.longs().between(0, 1_000)), Tuple.of(1, large));
        return Combinators.combine(
                Arbitraries.of(true, true, true, false), currencies(), Arbitraries.longs().between(0, 500),
                Arbitraries.of(false, false, false, true), credited, Arbitraries.longs().between(0, 300),
                Arbitraries.of(false, false, false, false, true)).as(AccountSetup::new);
    }

    @Provide
    Arbitrary<Long> amounts() {
        return Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.longs().between(1, 1_500)),
                Tuple.of(1, Arbitraries.longs().between(Long.MAX_VALUE - 1_000, Long.MAX_VALUE)));
    }

    @Provide
    Arbitrary<Currency> currencies() {
        return Arbitraries.of(EUR, EUR, EUR, JPY);
    }
}
