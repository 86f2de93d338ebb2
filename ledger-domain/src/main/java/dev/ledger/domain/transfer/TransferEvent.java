package dev.ledger.domain.transfer;

import dev.ledger.domain.LedgerEvent;
import dev.ledger.domain.Reason;

import java.util.Currency;
import java.util.Map;

/** What happened to one transfer: it was asked for, then it completed or was rejected. */
public sealed interface TransferEvent extends LedgerEvent {

    String transferId();

    @Override
    default String aggregateId() {
        return transferId();
    }

    record TransferInitiated(String transferId, String debitAccountId, String creditAccountId, long amount,
                             Currency currency, String reference, Map<String, String> metadata)
            implements TransferEvent {
        public TransferInitiated {
            metadata = Map.copyOf(metadata);
        }

        TransferRequest request() {
            return new TransferRequest(transferId, debitAccountId, creditAccountId, amount, currency, reference, metadata);
        }
    }

    record TransferCompleted(String transferId, long debitAccountSeq, long creditAccountSeq) implements TransferEvent {
    }

    record TransferRejected(String transferId, Reason reason, Map<String, Long> accountsTouched)
            implements TransferEvent {
        public TransferRejected {
            accountsTouched = Map.copyOf(accountsTouched);
        }
    }
}
