package dev.ledger.domain.transfer;

import dev.ledger.domain.Reason;

import java.util.Map;

/** A transfer's folded history: not yet asked for, in flight, or final. */
public sealed interface TransferState {
    /** A transfer's history is its initiation, then its settlement (completed or rejected): two events. */
    long SETTLED_VERSION = 2;

    long version();

    record Unknown() implements TransferState {
        @Override
        public long version() {
            return 0;
        }
    }

    record InFlight(TransferRequest request, long version) implements TransferState {
    }

    /** @param position the last event each account's side of the transfer caused */
    record Completed(TransferRequest request, Map<String, Long> position, long version) implements TransferState {
        public Completed {
            position = Map.copyOf(position);
        }
    }

    record Rejected(TransferRequest request, Reason reason, Map<String, Long> position, long version)
            implements TransferState {
        public Rejected {
            position = Map.copyOf(position);
        }
    }
}
