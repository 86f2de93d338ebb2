package dev.ledger.audit;

import dev.ledger.domain.Money;
import dev.ledger.domain.account.AccountDecider;
import dev.ledger.domain.account.AccountEvent;
import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.domain.account.AccountEvent.AccountDebited;
import dev.ledger.domain.account.AccountEvent.ReservationCaptured;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.account.Balances;
import dev.ledger.domain.transfer.TransferDecider;
import dev.ledger.domain.transfer.TransferEvent;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.kafka.EventEnvelope;

import java.util.Currency;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ledger rebuilt from its event log alone, through the same evolve functions the processor
 * uses. Feed it events in per-aggregate order (partitions may interleave in any way: a capture
 * may be read before the credit it follows); it tracks the money credited but not yet captured,
 * so the invariant can be checked in its in-flight form at any consistent cut.
 */
public final class LedgerReplay {
    private final Map<String, AccountState> accounts = new HashMap<>();
    private final Map<String, TransferState> transfers = new HashMap<>();
    /** transfer id -> amount credited to the credit side; captured ones are removed. */
    private final Map<String, InFlightCredit> creditedNotCaptured = new HashMap<>();
    /** transfers whose capture was read before their credit: the credit is settled on arrival. */
    private final java.util.Set<String> capturedBeforeCreditRead = new java.util.HashSet<>();

    private record InFlightCredit(Currency currency, long amount) {
    }

    public void apply(EventEnvelope envelope) {
        switch (envelope.event()) {
            case AccountEvent e -> {
                AccountState next = AccountDecider.evolve(accounts.getOrDefault(e.accountId(), AccountDecider.INITIAL), e);
                accounts.put(e.accountId(), next);
                if (e instanceof AccountCredited c && !capturedBeforeCreditRead.remove(c.transferId())) {
                    creditedNotCaptured.put(c.transferId(), new InFlightCredit(currencyOf(next), c.amount()));
                } else if (debitPostedOf(e) instanceof String transferId && creditedNotCaptured.remove(transferId) == null) {
                    capturedBeforeCreditRead.add(transferId);
                }
            }
            case TransferEvent e -> transfers.put(e.transferId(),
                    TransferDecider.evolve(transfers.getOrDefault(e.transferId(), TransferDecider.INITIAL), e));
            default -> throw new IllegalArgumentException("unknown event " + envelope.type());
        }
    }

    /** The transfer whose debit this event posts (a capture, or a debit at once), else null. */
    private static String debitPostedOf(AccountEvent event) {
        return switch (event) {
            case ReservationCaptured c -> c.transferId();
            case AccountDebited d -> d.transferId();
            default -> null;
        };
    }

    public Map<String, AccountState> accounts() {
        return accounts;
    }

    public Map<String, TransferState> transfers() {
        return transfers;
    }

    /** Per currency: sum(creditsPosted) - sum(debitsPosted), overflow-checked. */
    public Map<Currency, Long> postedNet() {
        Map<Currency, Long> net = new TreeMap<>(java.util.Comparator.comparing(Currency::getCurrencyCode));
        accounts.values().forEach(state -> {
            Balances b = balancesOf(state);
            if (b != null) {
                net.merge(currencyOf(state), Money.subtract(b.creditsPosted(), b.debitsPosted()), Money::add);
            }
        });
        return net;
    }

    /** Per currency: the amount of transfers credited but not yet captured. */
    public Map<Currency, Long> creditedNotCaptured() {
        Map<Currency, Long> sums = new TreeMap<>(java.util.Comparator.comparing(Currency::getCurrencyCode));
        creditedNotCaptured.values().forEach(c -> sums.merge(c.currency(), c.amount(), Money::add));
        return sums;
    }

    /**
     * The ledger's invariant (README, "What it is") in its exact in-flight form:
     * per currency, {@code sum(creditsPosted) - sum(debitsPosted) = sum(credited but not captured)}.
     */
    public boolean invariantHolds() {
        Map<Currency, Long> net = postedNet();
        Map<Currency, Long> inFlight = creditedNotCaptured();
        var currencies = new java.util.HashSet<>(net.keySet());
        currencies.addAll(inFlight.keySet());
        return currencies.stream().allMatch(c -> net.getOrDefault(c, 0L).equals(inFlight.getOrDefault(c, 0L)));
    }

    public static Balances balancesOf(AccountState state) {
        return switch (state) {
            case AccountState.Open o -> o.balances();
            case AccountState.Closed c -> c.balances();
            case AccountState.Unopened u -> null;
        };
    }

    public static Currency currencyOf(AccountState state) {
        return switch (state) {
            case AccountState.Open o -> o.profile().currency();
            case AccountState.Closed c -> c.profile().currency();
            case AccountState.Unopened u -> throw new IllegalStateException("no currency before the account is opened");
        };
    }
}
