package dev.ledger.domain.transfer;

import dev.ledger.domain.Decision;
import dev.ledger.domain.Outcome;
import dev.ledger.domain.Outcome.Status;
import dev.ledger.domain.account.AccountCommand.ReserveFunds;
import dev.ledger.domain.transfer.TransferCommand.CompleteTransfer;
import dev.ledger.domain.transfer.TransferCommand.InitiateTransfer;
import dev.ledger.domain.transfer.TransferCommand.RejectTransfer;
import dev.ledger.domain.transfer.TransferEvent.TransferCompleted;
import dev.ledger.domain.transfer.TransferEvent.TransferInitiated;
import dev.ledger.domain.transfer.TransferEvent.TransferRejected;
import dev.ledger.domain.transfer.TransferState.Completed;
import dev.ledger.domain.transfer.TransferState.InFlight;
import dev.ledger.domain.transfer.TransferState.Rejected;
import dev.ledger.domain.transfer.TransferState.Unknown;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The transfer aggregate, which also drives the saga: it makes the transfer id unique forever,
 * sends the reservation to the debit account, and records the final state the accounts report.
 */
public final class TransferDecider {

    public static final TransferState INITIAL = new Unknown();

    private TransferDecider() {
    }

    public static Decision<TransferEvent> decide(TransferCommand command, TransferState state) {
        return switch (command) {
            case InitiateTransfer c -> initiate(c.request(), state);
            case CompleteTransfer c -> complete(c, state);
            case RejectTransfer c -> reject(c, state);
        };
    }

    public static TransferState evolve(TransferState state, TransferEvent event) {
        return switch (event) {
            case TransferInitiated e -> new InFlight(e.request(), state.version() + 1);
            case TransferCompleted e -> {
                InFlight f = requireInFlight(state, e);
                yield new Completed(f.request(), completedPosition(f.request(), e), f.version() + 1);
            }
            case TransferRejected e -> {
                InFlight f = requireInFlight(state, e);
                yield new Rejected(f.request(), e.reason(), e.accountsTouched(), f.version() + 1);
            }
        };
    }

    /**
     * The seq each account's side reached; one entry when both sides are one account. Built immutable,
     * so that {@link Completed} keeps it without a copy (the batch scenario's command thread spent 5%
     * on the copies).
     */
    private static Map<String, Long> completedPosition(TransferRequest request, TransferCompleted completed) {
        String debit = request.debitAccountId();
        String credit = request.creditAccountId();
        return debit.equals(credit)
                ? Map.of(debit, Math.max(completed.debitAccountSeq(), completed.creditAccountSeq()))
                : Map.of(debit, completed.debitAccountSeq(), credit, completed.creditAccountSeq());
    }

    private static Decision<TransferEvent> initiate(TransferRequest request, TransferState state) {
        return switch (state) {
            case Unknown u -> new Decision<>(
                    List.of(new TransferInitiated(request.transferId(), request.debitAccountId(),
                            request.creditAccountId(), request.amount(), request.currency(), request.reference(),
                            request.metadata())),
                    List.of(new ReserveFunds(request.debitAccountId(), request.transferId(), request.amount(),
                            request.currency(), request.creditAccountId())),
                    Optional.empty());
            case InFlight f -> replayOrConflict(request, f.request(), new Outcome(Status.IN_FLIGHT, null, Map.of(), true));
            case Completed c -> replayOrConflict(request, c.request(), Outcome.of(Status.COMPLETED, c.position()).asReplay());
            case Rejected r -> replayOrConflict(request, r.request(), Outcome.rejected(r.reason(), r.position()).asReplay());
        };
    }

    private static Decision<TransferEvent> replayOrConflict(TransferRequest asked, TransferRequest original, Outcome replay) {
        return Decision.answer(asked.equals(original) ? replay : Outcome.conflict());
    }

    private static Decision<TransferEvent> complete(CompleteTransfer c, TransferState state) {
        if (!(state instanceof InFlight f)) return Decision.nothing(); // final already
        var event = new TransferCompleted(c.transferId(), c.debitAccountSeq(), c.creditAccountSeq());
        return Decision.append(event, Outcome.of(Status.COMPLETED, ((Completed) evolve(f, event)).position()));
    }

    private static Decision<TransferEvent> reject(RejectTransfer c, TransferState state) {
        if (!(state instanceof InFlight)) return Decision.nothing();
        return Decision.append(new TransferRejected(c.transferId(), c.reason(), c.accountsTouched()),
                Outcome.rejected(c.reason(), c.accountsTouched()));
    }

    private static InFlight requireInFlight(TransferState state, TransferEvent event) {
        if (state instanceof InFlight f) return f;
        throw new IllegalStateException("event " + event + " cannot apply to transfer state " + state);
    }
}
