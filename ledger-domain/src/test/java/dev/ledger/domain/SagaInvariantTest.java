package dev.ledger.domain;

import dev.ledger.domain.Outcome.Status;
import dev.ledger.domain.account.AccountCommand;
import dev.ledger.domain.account.AccountCommand.CloseAccount;
import dev.ledger.domain.account.AccountCommand.OpenAccount;
import dev.ledger.domain.account.AccountDecider;
import dev.ledger.domain.account.AccountEvent;
import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.domain.account.AccountEvent.ReservationCaptured;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.account.AccountState.Closed;
import dev.ledger.domain.account.AccountState.Open;
import dev.ledger.domain.account.Balances;
import dev.ledger.domain.transfer.TransferCommand;
import dev.ledger.domain.transfer.TransferCommand.InitiateTransfer;
import dev.ledger.domain.transfer.TransferDecider;
import dev.ledger.domain.transfer.TransferEvent;
import dev.ledger.domain.transfer.TransferRequest;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.domain.transfer.TransferState.Completed;
import dev.ledger.domain.transfer.TransferState.InFlight;
import dev.ledger.domain.transfer.TransferState.Rejected;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Currency;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random transfers through both deciders by hand, with the commands in transit delivered in a
 * random order (in order per aggregate, as a Kafka partition delivers them). After every step the
 * invariant of the ledger holds, per currency: posted credits minus posted debits equal the amounts
 * credited whose reservation is not captured yet.
 */
final class SagaInvariantTest {

    private static final long SEED = 20261122L;
    private static final int RUNS = 50;
    private static final int CLIENT_REQUESTS_PER_RUN = 100;
    private static final Currency EUR = Currency.getInstance("EUR");
    private static final Currency JPY = Currency.getInstance("JPY");
    private static final List<Currency> CURRENCIES = List.of(EUR, JPY);
    private static final String NEVER_OPENED = "ghost";

    @Test
    void random_transfers_keep_posted_sums_equal_to_credits_not_yet_captured_at_every_step() {
        Random random = new Random(SEED);
        Map<Reason, Integer> rejections = new EnumMap<>(Reason.class);
        int completed = 0;
        for (int run = 0; run < RUNS; run++) {
            Ledger ledger = new Ledger(random);
            ledger.play(CLIENT_REQUESTS_PER_RUN);
            ledger.assertSettled();
            for (Outcome outcome : ledger.finalOutcomes.values()) {
                if (outcome.status() == Status.COMPLETED) completed++;
                else rejections.merge(outcome.reason(), 1, Integer::sum);
            }
        }
        // the walk must really take the paths it claims to check
        assertThat(completed).isGreaterThan(RUNS * 5);
        assertThat(rejections).containsKeys(Reason.INSUFFICIENT_FUNDS, Reason.ACCOUNT_NOT_FOUND,
                Reason.ACCOUNT_CLOSED, Reason.CURRENCY_MISMATCH);
    }

    private record Credit(long amount, Currency currency) {
    }

    /** Every aggregate's state and the commands in transit between them. */
    private static final class Ledger {
        private final Random random;
        private final Map<String, AccountState> accounts = new HashMap<>();
        private final Map<String, TransferState> transfers = new HashMap<>();
        private final List<LedgerCommand> inTransit = new ArrayList<>();
        private final Map<String, Credit> creditedNotCaptured = new HashMap<>();
        private final Map<String, Outcome> finalOutcomes = new HashMap<>();
        private final List<TransferRequest> requested = new ArrayList<>();
        private final List<String> users = new ArrayList<>();
        private final List<String> everyAccountId = new ArrayList<>();

        Ledger(Random random) {
            this.random = random;
            for (Currency currency : CURRENCIES) {
                String bank = "bank-" + currency.getCurrencyCode();
                deliver(new OpenAccount(bank, currency, 0, true, Map.of()));
                everyAccountId.add(bank);
            }
            for (int i = 0; i < 6; i++) {
                String user = "user-" + i;
                long overdraftLimit = random.nextBoolean() ? 0 : random.nextInt(300);
                deliver(new OpenAccount(user, pick(CURRENCIES), overdraftLimit, false, Map.of()));
                users.add(user);
                everyAccountId.add(user);
            }
            everyAccountId.add(NEVER_OPENED);
        }

        void play(int clientRequests) {
            int left = clientRequests;
            while (left > 0 || !inTransit.isEmpty()) {
                if (left > 0 && (inTransit.isEmpty() || random.nextInt(3) == 0)) {
                    inTransit.add(clientRequest());
                    left--;
                } else {
                    deliver(inTransit.remove(nextDeliverable()));
                }
                assertInvariant();
            }
        }

        private LedgerCommand clientRequest() {
            int dice = random.nextInt(100);
            if (dice < 5) return new CloseAccount(pick(users));
            if (dice < 15 && !requested.isEmpty()) return new InitiateTransfer(pick(requested)); // a client's retry
            String debit = pick(everyAccountId);
            String credit = pick(everyAccountId.stream().filter(id -> !id.equals(debit)).toList());
            long amount = debit.startsWith("bank-") ? 1 + random.nextInt(1000) : 1 + random.nextInt(200);
            Currency currency = random.nextInt(10) == 0 ? pick(CURRENCIES) : currencyOf(debit);
            var request = new TransferRequest("t-" + requested.size(), debit, credit, amount, currency, null, Map.of());
            requested.add(request);
            return new InitiateTransfer(request);
        }

        /** Any command that is first in transit for its aggregate: a partition keeps order per key. */
        private int nextDeliverable() {
            Set<String> seen = new HashSet<>();
            List<Integer> heads = new ArrayList<>();
            for (int i = 0; i < inTransit.size(); i++) {
                if (seen.add(inTransit.get(i).aggregateId())) heads.add(i);
            }
            return pick(heads);
        }

        private void deliver(LedgerCommand command) {
            if (command instanceof AccountCommand c) {
                AccountState state = accounts.getOrDefault(c.accountId(), AccountDecider.INITIAL);
                Decision<AccountEvent> decision = AccountDecider.decide(c, state);
                for (AccountEvent event : decision.events()) {
                    long seq = state.version() + 1;
                    state = AccountDecider.evolve(state, event);
                    check(state.version() == seq, "gapless seq", event);
                    recordMoney(event);
                }
                accounts.put(c.accountId(), state);
                inTransit.addAll(decision.followUps());
            } else if (command instanceof TransferCommand c) {
                TransferState before = transfers.getOrDefault(c.transferId(), TransferDecider.INITIAL);
                Decision<TransferEvent> decision = TransferDecider.decide(c, before);
                TransferState state = before;
                for (TransferEvent event : decision.events()) {
                    state = TransferDecider.evolve(state, event);
                }
                transfers.put(c.transferId(), state);
                inTransit.addAll(decision.followUps());
                decision.outcome().ifPresent(outcome -> recordOutcome(c, before, outcome));
            } else {
                throw new AssertionError("no aggregate takes " + command);
            }
        }

        private void recordMoney(AccountEvent event) {
            switch (event) {
                case AccountCredited e ->
                        creditedNotCaptured.put(e.transferId(), new Credit(e.amount(), currencyOf(e.accountId())));
                case ReservationCaptured e ->
                        check(creditedNotCaptured.remove(e.transferId()) != null, "captured only after the credit", e);
                default -> {
                }
            }
        }

        private void recordOutcome(TransferCommand command, TransferState before, Outcome outcome) {
            if (outcome.replayed()) {
                Status expected = switch (before) {
                    case InFlight f -> Status.IN_FLIGHT;
                    case Completed c -> Status.COMPLETED;
                    case Rejected r -> Status.REJECTED;
                    case TransferState.Unknown u -> throw new AssertionError("replay of nothing: " + command);
                };
                check(outcome.status() == expected, "a replay answers the current state", outcome);
                return;
            }
            check(outcome.isFinal(), "a first answer is final", outcome);
            check(finalOutcomes.put(command.transferId(), outcome) == null, "one final outcome per transfer", command);
        }

        /** Checked after every step, so plain comparisons: AssertJ would dominate the run time. */
        private void assertInvariant() {
            Map<Currency, Long> posted = zeroPerCurrency();
            Map<Currency, Long> creditedInFlight = zeroPerCurrency();
            for (AccountState state : accounts.values()) {
                switch (state) {
                    case Open o -> {
                        posted.merge(o.profile().currency(), o.balances().balance(), Money::add);
                        long held = o.holds().values().stream().mapToLong(Long::longValue).sum();
                        check(held == o.balances().debitsPending(), "holds sum to the pending debits", o);
                        check(o.profile().unlimitedOverdraft()
                                || o.balances().available(o.profile().overdraftLimit()) >= 0, "available >= 0", o);
                    }
                    case Closed c -> posted.merge(c.profile().currency(), c.balances().balance(), Money::add);
                    case AccountState.Unopened u -> {
                    }
                }
            }
            creditedNotCaptured.values().forEach(c -> creditedInFlight.merge(c.currency(), c.amount(), Money::add));
            check(posted.equals(creditedInFlight), "posted credits - posted debits = credited but not captured",
                    posted + " vs " + creditedInFlight);
        }

        private static Map<Currency, Long> zeroPerCurrency() {
            Map<Currency, Long> sums = new HashMap<>();
            CURRENCIES.forEach(currency -> sums.put(currency, 0L));
            return sums;
        }

        private static void check(boolean holds, String rule, Object subject) {
            if (!holds) throw new AssertionError(rule + " broken: " + subject);
        }

        /** Nothing in flight: every transfer is final, nothing is held and each balance is its completed transfers. */
        void assertSettled() {
            assertThat(inTransit).isEmpty();
            assertThat(creditedNotCaptured).isEmpty();
            assertThat(finalOutcomes.keySet()).isEqualTo(transfers.keySet());
            Map<String, Long> fromTransfers = new HashMap<>();
            transfers.forEach((transferId, state) -> {
                Outcome outcome = finalOutcomes.get(transferId);
                switch (state) {
                    case Completed c -> {
                        check(outcome.status() == Status.COMPLETED, "answered as it ended", outcome);
                        fromTransfers.merge(c.request().creditAccountId(), c.request().amount(), Math::addExact);
                        fromTransfers.merge(c.request().debitAccountId(), -c.request().amount(), Math::addExact);
                    }
                    case Rejected r -> check(outcome.equals(Outcome.rejected(r.reason(), r.position())),
                            "answered as it ended", outcome);
                    default -> throw new AssertionError("not final: " + state);
                }
            });
            Map<String, Long> balances = new HashMap<>();
            Map<String, Long> expected = new HashMap<>();
            accounts.forEach((accountId, state) -> {
                Balances b = switch (state) {
                    case Open o -> o.balances();
                    case Closed c -> c.balances();
                    case AccountState.Unopened u -> Balances.ZERO;
                };
                check(b.debitsPending() == 0 && b.creditsPending() == 0, "nothing held", state);
                balances.put(accountId, b.balance());
                expected.put(accountId, fromTransfers.getOrDefault(accountId, 0L));
            });
            assertThat(balances).isEqualTo(expected);
        }

        private Currency currencyOf(String accountId) {
            return switch (accounts.getOrDefault(accountId, AccountDecider.INITIAL)) {
                case Open o -> o.profile().currency();
                case Closed c -> c.profile().currency();
                case AccountState.Unopened u -> EUR;
            };
        }

        private <T> T pick(List<T> from) {
            return from.get(random.nextInt(from.size()));
        }
    }
}
