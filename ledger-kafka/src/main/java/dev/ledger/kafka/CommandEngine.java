package dev.ledger.kafka;

import dev.ledger.domain.Decision;
import dev.ledger.domain.LedgerCommand;
import dev.ledger.domain.LedgerEvent;
import dev.ledger.domain.Outcome;
import dev.ledger.domain.SagaSteps;
import dev.ledger.domain.account.AccountCommand;
import dev.ledger.domain.account.AccountCommand.CreditAccount;
import dev.ledger.domain.account.AccountCommand.ReserveFunds;
import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.domain.account.AccountDecider;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.transfer.TransferCommand;
import dev.ledger.domain.transfer.TransferCommand.CompleteTransfer;
import dev.ledger.domain.transfer.TransferCommand.InitiateTransfer;
import dev.ledger.domain.transfer.TransferDecider;
import dev.ledger.domain.transfer.TransferRequest;
import dev.ledger.domain.transfer.TransferSettlement;
import dev.ledger.domain.transfer.TransferState;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * The one decide loop of the ledger, free of Kafka clients: for a command, load the addressed
 * aggregate, let the pure decider judge, wrap each event in its envelope with its hash-chain link,
 * fold it in, and route the saga's next steps: a step for an aggregate of this partition is
 * applied at once (the same-partition fast path: the same events in the same order as a round trip
 * would write), any other leaves through {@link Output#command}. The command processor runs it on
 * its state stores; the audit's history generator on plain maps.
 */
public final class CommandEngine {
    /** The aggregates one partition's writer decides against. */
    public interface State {
        Aggregate<AccountState> account(String accountId);

        void account(String accountId, Aggregate<AccountState> account);

        Aggregate<TransferState> transfer(String transferId);

        void transfer(String transferId, Aggregate<TransferState> transfer);

        /** Whether this saga step was applied already: a step is applied once, whatever the redelivery. */
        boolean stepApplied(String stepId);

        /**
         * @param wroteEvents whether the step itself wrote an event (its local follow-ups not counted):
         *                    such a step is recognised again from its events in the log, one that wrote
         *                    none (a refusal, a repeat) leaves no trace there
         */
        void stepApplied(String stepId, boolean wroteEvents, long nowMs);
    }

    /** Where the decided records go. */
    public interface Output {
        void event(String aggregateId, long timestampMs, byte[] value, byte[] hash);

        /** A saga step for an aggregate of another partition. */
        void command(CommandEnvelope step, long timestampMs);

        void result(CommandResult result);
    }

    private final HashChain chain;
    private final Predicate<String> isLocal;

    /** @param isLocal whether an aggregate lives on the partition this engine writes */
    public CommandEngine(byte[] ledgerKey, Predicate<String> isLocal) {
        this.chain = new HashChain(ledgerKey);
        this.isLocal = isLocal;
    }

    /** Decides a command that passed the checks, and every step of this partition it leads to. */
    public void decide(CommandEnvelope envelope, long nowMs, State state, Output out) {
        boolean step = SagaSteps.isFollowUp(envelope.command());
        if (step && state.stepApplied(envelope.commandId())) return; // deduplicated by transfer id and step
        if (envelope.command() instanceof InitiateTransfer initiate && settle(envelope, initiate.request(), nowMs, state, out)) {
            return;
        }
        Queue<CommandEnvelope> local = new ArrayDeque<>();
        boolean wroteEvents = apply(envelope, nowMs, state, out, local);
        if (step) state.stepApplied(envelope.commandId(), wroteEvents, nowMs);
        while (!local.isEmpty()) {
            apply(local.poll(), nowMs, state, out, local);
        }
    }

    /** @return whether the command wrote an event */
    private boolean apply(CommandEnvelope envelope, long nowMs, State state, Output out, Queue<CommandEnvelope> local) {
        return switch (envelope.command()) {
            case AccountCommand c -> {
                Aggregate<AccountState> account = state.account(c.accountId());
                yield handle(c.accountId(), account, AccountDecider.decide(c, account.state()),
                        next -> state.account(c.accountId(), next), AccountDecider::evolve, AccountState::version,
                        envelope, nowMs, out, local);
            }
            case TransferCommand c -> {
                Aggregate<TransferState> transfer = state.transfer(c.transferId());
                yield handle(c.transferId(), transfer, TransferDecider.decide(c, transfer.state()),
                        next -> state.transfer(c.transferId(), next), TransferDecider::evolve, TransferState::version,
                        envelope, nowMs, out, local);
            }
            default -> throw new IllegalArgumentException("not a command of this ledger: " + envelope.command());
        };
    }

    private <S, E extends LedgerEvent> boolean handle(String aggregateId, Aggregate<S> aggregate, Decision<E> decision,
                                                  Consumer<Aggregate<S>> save,
                                                  BiFunction<S, E, S> evolve, ToLongFunction<S> version,
                                                  CommandEnvelope cause, long nowMs, Output out,
                                                  Queue<CommandEnvelope> local) {
        boolean step = SagaSteps.isFollowUp(cause.command());
        Aggregate<S> folded = aggregate;
        String causeOfNext = cause.commandId();
        for (int i = 0; i < decision.events().size(); i++) {
            Appended<S> appended = append(aggregateId, folded, decision.events().get(i), i, evolve, version,
                    cause.commandId(), cause.correlationId(), cause.causationId(), nowMs, out);
            folded = appended.aggregate();
            causeOfNext = appended.eventId();
        }
        S state = folded.state();
        // the transfer's final outcome answers the client command that started it
        String origin = folded.originCommandId();
        if (!decision.events().isEmpty()) save.accept(folded);
        // every step carries that client command along, for the step after which the outcome is certain
        String sagaOrigin = step ? cause.originCommandId() : cause.commandId();
        if (cause.command() instanceof CreditAccount credit && sagaOrigin != null
                && decision.events().stream().anyMatch(AccountCredited.class::isInstance)) {
            out.result(new CommandResult(credit.transferId(), sagaOrigin, certainOnceCredited(credit, state)));
        }
        for (LedgerCommand next : decision.followUps()) {
            String transferId = SagaSteps.transferIdOf(next);
            var envelope = new CommandEnvelope(SagaSteps.stepId(next), LedgerJson.typeName(next),
                    Instant.ofEpochMilli(nowMs), transferId, causeOfNext, next, sagaOrigin);
            if (isLocal.test(next.aggregateId())) local.add(envelope);
            else out.command(envelope, nowMs);
        }
        long aggregateSeq = version.applyAsLong(state);
        boolean isTransfer = state instanceof TransferState;
        decision.outcome().ifPresent(outcome -> out.result(new CommandResult(aggregateId,
                step && origin != null ? origin : cause.commandId(),
                isTransfer ? withTransferSeq(outcome, aggregateId, aggregateSeq) : outcome)));
        return !decision.events().isEmpty();
    }

    /** An aggregate after one more event, and that event's id (the cause of what follows from it). */
    private record Appended<S>(Aggregate<S> aggregate, String eventId) {
    }

    /** Wraps one event in its envelope, links it into its aggregate's hash chain, writes it and folds it in. */
    private <S, E extends LedgerEvent> Appended<S> append(String aggregateId, Aggregate<S> aggregate, E event,
                                                          int index, BiFunction<S, E, S> evolve,
                                                          ToLongFunction<S> version, String commandId,
                                                          String correlationId, String causationId, long nowMs,
                                                          Output out) {
        var envelope = new EventEnvelope(eventId(commandId, aggregateId, index), LedgerJson.typeName(event),
                LedgerJson.SCHEMA_VERSION, aggregateId, version.applyAsLong(aggregate.state()) + 1,
                Instant.ofEpochMilli(nowMs), commandId, correlationId, causationId, event);
        byte[] bytes = EventCodec.write(envelope);
        byte[] hash = chain.next(aggregate.lastHash(), bytes);
        out.event(aggregateId, nowMs, bytes, hash);
        return new Appended<>(aggregate.then(envelope, event, evolve, hash), envelope.eventId());
    }

    /**
     * Settles a new transfer whole when this writer holds both its accounts too ({@link TransferSettlement}):
     * four events in one step and one answer, no hop decided in between. The envelopes are those the
     * saga's steps would give: the transfer's initiation is the client command's own, the debit, the
     * credit and the completion carry the ids of the steps they stand for (the debit the reservation's), so
     * a restore marks those steps applied as it would after the saga, and each event is caused by the one
     * before it.
     *
     * @return false when the transfer must take the saga instead (a repeat, a refusal, an account elsewhere)
     */
    private boolean settle(CommandEnvelope cause, TransferRequest request, long nowMs, State state, Output out) {
        String transferId = request.transferId();
        String debitId = request.debitAccountId();
        String creditId = request.creditAccountId();
        if (!isLocal.test(debitId) || !isLocal.test(creditId)) return false;
        Aggregate<TransferState> transfer = state.transfer(transferId);
        Aggregate<AccountState> debit = state.account(debitId);
        Aggregate<AccountState> credit = state.account(creditId);
        var decided = TransferSettlement.decide(request, transfer.state(), debit.state(), credit.state());
        if (decided.isEmpty()) return false;
        TransferSettlement.Settled settled = decided.get();
        String clientCommand = cause.commandId();
        String correlation = cause.correlationId();
        var initiated = append(transferId, transfer, settled.initiated(), 0, TransferDecider::evolve,
                TransferState::version, clientCommand, correlation, cause.causationId(), nowMs, out);
        var debited = append(debitId, debit, settled.debited(), 0, AccountDecider::evolve, AccountState::version,
                SagaSteps.stepId(transferId, ReserveFunds.class), correlation, initiated.eventId(), nowMs, out);
        var credited = append(creditId, credit, settled.credited(), 0, AccountDecider::evolve, AccountState::version,
                SagaSteps.stepId(transferId, CreditAccount.class), correlation, debited.eventId(), nowMs, out);
        var completed = append(transferId, initiated.aggregate(), settled.completed(), 0, TransferDecider::evolve,
                TransferState::version, SagaSteps.stepId(transferId, CompleteTransfer.class), correlation,
                credited.eventId(), nowMs, out);
        state.transfer(transferId, completed.aggregate());
        state.account(debitId, debited.aggregate());
        state.account(creditId, credited.aggregate());
        var outcome = (TransferState.Completed) completed.aggregate().state();
        out.result(new CommandResult(transferId, clientCommand,
                withTransferSeq(Outcome.of(Outcome.Status.COMPLETED, outcome.position()), transferId, outcome.version())));
        return true;
    }

    /**
     * Once the credit side has applied, the transfer cannot fail: the debit side holds the amount and
     * a capture cannot be refused, so the caller is answered now rather than after the capture and
     * completion hops. The position still covers what a read must see: the credit by its seq, the
     * capture still on its way by the debit account's movement of this transfer, and the transfer
     * by its settled version.
     */
    private static <S> Outcome certainOnceCredited(CreditAccount credit, S creditAccount) {
        return Outcome.of(Outcome.Status.COMPLETED, Map.of(
                credit.accountId(), ((AccountState) creditAccount).version(),
                CommandResult.movementPositionKey(credit.debitAccountId(), credit.transferId()), 1L,
                CommandResult.transferPositionKey(credit.transferId()), TransferState.SETTLED_VERSION));
    }

    /** A read of the transfer itself must see its outcome too, so its own seq joins the accounts'. */
    private static Outcome withTransferSeq(Outcome outcome, String transferId, long seq) {
        var position = new HashMap<>(outcome.position());
        position.put(CommandResult.transferPositionKey(transferId), seq);
        return new Outcome(outcome.status(), outcome.reason(), position, outcome.replayed());
    }

    /** Deterministic, so that the same command decided again yields the same event ids. */
    public static String eventId(String commandId, String aggregateId, int index) {
        return CanonicalUuid.nameBased((commandId + "\u0000" + aggregateId + "\u0000" + index)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }
}
