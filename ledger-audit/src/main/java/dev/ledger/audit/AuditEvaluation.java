package dev.ledger.audit;

import dev.ledger.audit.AuditReport.AccountBalance;
import dev.ledger.audit.AuditReport.CurrencyTotals;
import dev.ledger.audit.AuditReport.InFlightTransfer;
import dev.ledger.audit.AuditReport.TransferCounts;
import dev.ledger.audit.AuditShard.Track;
import dev.ledger.domain.account.AccountProfile;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.account.Balances;
import dev.ledger.domain.transfer.TransferRequest;
import dev.ledger.domain.transfer.TransferState;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything judged once every shard has read its partitions: the shards' accounts are merged (the
 * transfers' tracks, with their saga facts, were shared all along), then the checks that span
 * aggregates run over the whole cut: the saga matching, the transfers' finality, and the invariant in
 * its exact in-flight form.
 */
final class AuditEvaluation {
    /** Transfers in flight listed in the report, oldest first; all are counted. */
    static final int IN_FLIGHT_LISTED = 1_000;
    private static final SagaFacts NO_FACTS = new SagaFacts();

    final Map<String, Track<AccountState>> accounts = new HashMap<>();
    /** Initiated transfers (within the cut). */
    final Map<String, Track<TransferState>> transfers;
    private final Violations violations;
    private final Instant now;
    private final DeadLetteredSteps deadLettered;

    private List<AccountBalance> balances;
    private List<CurrencyTotals> totals;
    private TransferCounts counts;
    private List<InFlightTransfer> inFlight;

    /**
     * @param transfers the transfers' tracks the shards shared
     * @param now       the instant in-flight ages run to: the cut, or the audit's start
     */
    AuditEvaluation(List<AuditShard> shards, Map<String, Track<TransferState>> transfers, Violations violations,
                    Instant now, DeadLetteredSteps deadLettered) {
        this.violations = violations;
        this.now = now;
        this.deadLettered = deadLettered;
        for (AuditShard shard : shards) mergeTracks(accounts, shard.accounts);
        // an aggregate whose first event lies after the cut did not exist yet
        accounts.values().removeIf(t -> t.state instanceof AccountState.Unopened);
        // what the accounts say about transfers that were never initiated (within the cut)
        transfers.forEach((id, track) -> {
            if (track.state instanceof TransferState.Unknown && track.facts != null) {
                SagaFacts f = track.facts;
                var steps = new SagaFacts.Step[]{f.reserved, f.credited, f.captured, f.released, f.debited};
                for (SagaFacts.Step step : steps) {
                    if (step != null) {
                        violations.add(AuditCheck.TRANSFERS, step.accountId(), step.seq(), null, null,
                                "names transfer " + id + ", which was never initiated");
                    }
                }
            }
        });
        transfers.values().removeIf(track -> track.state instanceof TransferState.Unknown);
        this.transfers = transfers;
        evaluate();
    }

    private <S> void mergeTracks(Map<String, Track<S>> into, Map<String, Track<S>> from) {
        from.forEach((id, track) -> {
            Track<S> other = into.putIfAbsent(id, track);
            if (other != null) {
                violations.add(AuditCheck.ENVELOPE, id, null, track.partition, null, "the aggregate's events are "
                        + "on partitions " + other.partition + " and " + track.partition
                        + ": their order is undefined");
            }
        });
    }

    private void evaluate() {
        checkSagas();
        balances = new ArrayList<>(accounts.size());
        accounts.forEach((id, track) -> balances.add(balance(id, track)));
        balances.sort(Comparator.comparing(AccountBalance::accountId));
        totals = invariant();
    }

    List<AccountBalance> balances() {
        return balances;
    }

    List<CurrencyTotals> totals() {
        return totals;
    }

    TransferCounts counts() {
        return counts;
    }

    List<InFlightTransfer> inFlight() {
        return inFlight;
    }

    private static AccountBalance balance(String id, Track<AccountState> track) {
        AccountProfile profile = switch (track.state) {
            case AccountState.Open o -> o.profile();
            case AccountState.Closed c -> c.profile();
            case AccountState.Unopened u -> throw new IllegalStateException("unreachable: removed above");
        };
        Balances b = LedgerReplay.balancesOf(track.state);
        long balance;
        try {
            balance = b.balance();
        } catch (ArithmeticException overflow) {
            balance = b.creditsPosted() > b.debitsPosted() ? Long.MAX_VALUE : Long.MIN_VALUE; // saturated
        }
        return new AccountBalance(id, profile.currency().getCurrencyCode(),
                track.state instanceof AccountState.Open ? "OPEN" : "CLOSED", profile.overdraftLimit(),
                profile.unlimitedOverdraft(), b.debitsPending(), b.debitsPosted(), b.creditsPending(),
                b.creditsPosted(), balance, track.seq, track.firstAt, track.lastAt);
    }

    /**
     * Each transfer's saga against what its accounts recorded. A fact names the account event that
     * recorded it, so a violation points at an aggregate and a seq.
     */
    private void checkSagas() {
        long completed = 0;
        long rejected = 0;
        List<InFlightTransfer> flying = new ArrayList<>();
        for (var entry : transfers.entrySet()) {
            String id = entry.getKey();
            Track<TransferState> track = entry.getValue();
            SagaFacts facts = track.facts != null ? track.facts : NO_FACTS;
            switch (track.state) {
                case TransferState.InFlight f -> {
                    amounts(id, f.request(), facts);
                    flying.add(new InFlightTransfer(id, f.request().debitAccountId(), f.request().creditAccountId(),
                            f.request().amount(), f.request().currency().getCurrencyCode(), track.firstAt,
                            Math.max(0, Duration.between(track.firstAt, now).toMillis()), step(facts)));
                    stuck(id, track, f.request(), facts);
                }
                case TransferState.Completed c -> {
                    completed++;
                    amounts(id, c.request(), facts);
                    if (facts.credited == null) saga(id, track, "completed, but no account recorded its credit");
                    if (!facts.debitPosted()) {
                        saga(id, track, "completed, but its debit was never posted (no capture, no AccountDebited)");
                    }
                    if (facts.released != null) {
                        saga(facts.released, "ReservationReleased of transfer " + id + ", which completed");
                    }
                }
                case TransferState.Rejected r -> {
                    rejected++;
                    amounts(id, r.request(), facts);
                    if (facts.credited != null) {
                        saga(facts.credited, "AccountCredited of transfer " + id + ", which was rejected ("
                                + r.reason() + ")");
                    }
                    if (facts.captured != null) {
                        saga(facts.captured, "ReservationCaptured of transfer " + id + ", which was rejected ("
                                + r.reason() + ")");
                    }
                    if (facts.debited != null) {
                        saga(facts.debited, "AccountDebited of transfer " + id + ", which was rejected ("
                                + r.reason() + ")");
                    }
                    if (facts.reserved != null && facts.released == null && facts.captured == null) {
                        saga(facts.reserved, "FundsReserved of transfer " + id + " was never released, but the "
                                + "transfer was rejected (" + r.reason() + ")");
                    }
                }
                case TransferState.Unknown u -> throw new IllegalStateException("unreachable: removed above");
            }
            if (facts.captured != null && facts.released != null) {
                saga(facts.released, "the reservation of transfer " + id + " was both captured (on "
                        + facts.captured.accountId() + " seq " + facts.captured.seq() + ") and released");
            }
            if (facts.captured != null && facts.reserved == null) {
                saga(facts.captured, "ReservationCaptured of transfer " + id + " without a reservation");
            }
            if (facts.debited != null && (facts.reserved != null || facts.captured != null || facts.released != null)) {
                saga(facts.debited, "AccountDebited of transfer " + id
                        + ", which also took the saga's reservation steps");
            }
            if (facts.released != null && facts.reserved == null) {
                saga(facts.released, "ReservationReleased of transfer " + id + " without a reservation");
            }
        }
        flying.sort(Comparator.comparing(InFlightTransfer::initiatedAt).thenComparing(InFlightTransfer::transferId));
        counts = new TransferCounts(transfers.size(), completed, rejected, flying.size());
        inFlight = List.copyOf(flying.subList(0, Math.min(flying.size(), IN_FLIGHT_LISTED)));
    }

    /** A transfer in flight whose next step lies in the dead letters will never finish on its own. */
    private void stuck(String id, Track<TransferState> track, TransferRequest request, SagaFacts facts) {
        boolean held = facts.reserved != null && facts.captured == null && facts.released == null;
        for (var letter : deadLettered.of(id)) {
            violations.add(AuditCheck.DEAD_LETTERS, id, track.seq, track.partition, null, "transfer " + id
                    + " is in flight" + (held ? " holding " + facts.reserved.amount() + " " + request.currency()
                    + " on " + facts.reserved.accountId() + " (seq " + facts.reserved.seq() + ")" : "")
                    + ", but its saga step " + DeadLetteredSteps.describe(letter) + " is dead-lettered");
        }
    }

    /** Where a transfer in flight stands, from what its accounts recorded. */
    private static String step(SagaFacts facts) {
        if (facts.debitPosted() || facts.released != null) return "awaiting its final event";
        if (facts.credited != null) return "credited, awaiting capture";
        if (facts.reserved != null) return "reserved, awaiting credit or release";
        return "awaiting reservation";
    }

    /** Every step moves the transfer's amount, on the accounts it names. */
    private void amounts(String id, TransferRequest request, SagaFacts facts) {
        expect(id, facts.reserved, request.debitAccountId(), request.amount(), "FundsReserved");
        expect(id, facts.credited, request.creditAccountId(), request.amount(), "AccountCredited");
        expect(id, facts.captured, request.debitAccountId(), request.amount(), "ReservationCaptured");
        expect(id, facts.released, request.debitAccountId(), request.amount(), "ReservationReleased");
        expect(id, facts.debited, request.debitAccountId(), request.amount(), "AccountDebited");
        if (facts.credited != null && facts.creditedCurrency != null
                && !facts.creditedCurrency.equals(request.currency())) {
            saga(facts.credited, "AccountCredited of transfer " + id + " in " + facts.creditedCurrency
                    + " but the transfer is in " + request.currency());
        }
    }

    private void expect(String id, SagaFacts.Step step, String account, long amount, String what) {
        if (step == null) return;
        if (!step.accountId().equals(account)) {
            saga(step, what + " of transfer " + id + " on " + step.accountId() + ", but the transfer names " + account);
        } else if (step.amount() != amount) {
            saga(step, what + " of transfer " + id + " for " + step.amount() + ", but the transfer is for " + amount);
        }
    }

    private void saga(String transferId, Track<TransferState> track, String detail) {
        violations.add(AuditCheck.SAGA, transferId, track.seq, track.partition, null, "transfer " + detail);
    }

    private void saga(SagaFacts.Step step, String detail) {
        violations.add(AuditCheck.SAGA, step.accountId(), step.seq(), null, null, detail);
    }

    /**
     * The ledger's invariant (README, "What it is") in its exact in-flight form: per currency,
     * {@code sum(creditsPosted) - sum(debitsPosted) = sum(amount of transfers credited but not yet
     * captured)}. A credit without its capture is money in flight between the two sides of a transfer.
     */
    private List<CurrencyTotals> invariant() {
        Map<String, long[]> sums = new TreeMap<>(); // accounts, dPending, dPosted, cPending, cPosted, net, inFlight
        for (AccountBalance a : balances) {
            long[] s = sums.computeIfAbsent(a.currency(), c -> new long[7]);
            s[0]++;
            add(s, 1, a.debitsPending(), a.currency());
            add(s, 2, a.debitsPosted(), a.currency());
            add(s, 3, a.creditsPending(), a.currency());
            add(s, 4, a.creditsPosted(), a.currency());
        }
        // money in flight: credited to the credit side of a transfer still in flight, not yet captured on its
        // debit side. In a consistent cut a transfer is only credited-and-not-captured while in flight; a
        // credit that names no transfer in flight (forged, or a rejected transfer's) is not in flight: it
        // is money out of nowhere, and the invariant says so.
        transfers.forEach((id, transfer) -> {
            SagaFacts facts = transfer.facts;
            if (facts != null && transfer.state instanceof TransferState.InFlight
                    && facts.credited != null && !facts.debitPosted() && facts.creditedCurrency != null) {
                add(sums.computeIfAbsent(facts.creditedCurrency.getCurrencyCode(), c -> new long[7]), 6,
                        facts.credited.amount(), facts.creditedCurrency.getCurrencyCode());
            }
        });
        List<CurrencyTotals> result = new ArrayList<>();
        sums.forEach((currency, s) -> {
            try {
                s[5] = Math.subtractExact(s[4], s[2]);
            } catch (ArithmeticException overflow) {
                violations.add(AuditCheck.INVARIANT, currency, null, null, null, "posted net overflows a long");
            }
            if (s[5] != s[6]) {
                violations.add(AuditCheck.INVARIANT, currency, null, null, null, "sum(creditsPosted) "
                        + s[4] + " - sum(debitsPosted) " + s[2] + " = " + s[5] + ", but " + s[6]
                        + " is credited and not yet captured");
            }
            result.add(new CurrencyTotals(currency, s[0], s[1], s[2], s[3], s[4], s[5], s[6]));
        });
        return result;
    }

    private void add(long[] sums, int index, long amount, String currency) {
        try {
            sums[index] = Math.addExact(sums[index], amount);
        } catch (ArithmeticException overflow) {
            violations.add(AuditCheck.INVARIANT, currency, null, null, null, "a sum overflows a long");
        }
    }
}
