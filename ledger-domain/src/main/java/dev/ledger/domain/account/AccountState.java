package dev.ledger.domain.account;

import java.util.HashMap;
import java.util.Map;

/**
 * An account's folded history. A sum type, so that a closed account cannot take a reservation by
 * accident. {@code version} counts the events applied: the next event's sequence number is
 * {@code version + 1}.
 */
public sealed interface AccountState {

    long version();

    record Unopened() implements AccountState {
        @Override
        public long version() {
            return 0;
        }
    }

    /** @param holds the amount held for each transfer in flight on the debit side */
    record Open(AccountProfile profile, Balances balances, Map<String, Long> holds, long version)
            implements AccountState {
        public Open {
            holds = Map.copyOf(holds);
        }

        Open with(Balances next, Map<String, Long> nextHolds) {
            return new Open(profile, next, nextHolds, version + 1);
        }

        Map<String, Long> holdsPlus(String transferId, long amount) {
            var next = new HashMap<>(holds);
            next.put(transferId, amount);
            return next;
        }

        Map<String, Long> holdsMinus(String transferId) {
            var next = new HashMap<>(holds);
            next.remove(transferId);
            return next;
        }
    }

    record Closed(AccountProfile profile, Balances balances, long version) implements AccountState {
    }
}
