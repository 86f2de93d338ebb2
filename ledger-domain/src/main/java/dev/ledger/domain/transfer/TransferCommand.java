package dev.ledger.domain.transfer;

import dev.ledger.domain.LedgerCommand;
import dev.ledger.domain.Reason;

import java.util.Map;

/** Commands addressed to one transfer, keyed by its id. */
public sealed interface TransferCommand extends LedgerCommand {

    String transferId();

    @Override
    default String aggregateId() {
        return transferId();
    }

    /** Saga hop 1: the client's request. The transfer id is unique forever. */
    record InitiateTransfer(TransferRequest request) implements TransferCommand {
        @Override
        public String transferId() {
            return request.transferId();
        }
    }

    /** Saga hop 5, success: both sides are posted. */
    record CompleteTransfer(String transferId, long debitAccountSeq, long creditAccountSeq) implements TransferCommand {
    }

    /**
     * Saga hop 5, failure.
     *
     * @param accountsTouched the sequence number of the last event the attempt caused on each account
     *                        (the debit account after a release; none when the reservation was refused)
     */
    record RejectTransfer(String transferId, Reason reason, Map<String, Long> accountsTouched) implements TransferCommand {
        public RejectTransfer {
            accountsTouched = Map.copyOf(accountsTouched);
        }
    }
}
