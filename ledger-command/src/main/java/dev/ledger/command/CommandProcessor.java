package dev.ledger.command;

import dev.ledger.domain.Decision;
import dev.ledger.domain.LedgerCommand;
import dev.ledger.domain.LedgerEvent;
import dev.ledger.domain.Outcome;
import dev.ledger.domain.account.AccountCommand;
import dev.ledger.domain.account.AccountDecider;
import dev.ledger.domain.account.AccountEvent;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.transfer.TransferCommand;
import dev.ledger.domain.transfer.TransferDecider;
import dev.ledger.domain.transfer.TransferEvent;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.kafka.CommandEnvelope;
import dev.ledger.kafka.CommandResult;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.DeadLetter;
import dev.ledger.kafka.HashChain;
import dev.ledger.kafka.HopSeal;
import dev.ledger.kafka.LedgerJson;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.ToLongFunction;

/**
 * The single writer of the ledger. For each command on its partitions it loads the addressed
 * aggregate from its store, lets the pure decider judge, and writes everything that follows - the
 * events with their hash-chain links, the new state, the saga's next commands, the caller's answer
 * - into the task's Kafka transaction, together with the consumed offset (exactly_once_v2).
 *
 * <p>The same-partition fast path: a saga command addressed to an aggregate of this very partition
 * is applied at once, in the same transaction, instead of taking a round trip through the commands
 * topic and a commit. When the transfer and both accounts share the partition, the whole saga is one
 * atomic step. It writes the same events in the same order as the round trips would; only the
 * internal commands and their dedupe marks are skipped, as no copy of them exists to be repeated.
 */
final class CommandProcessor implements Processor<String, byte[], String, byte[]> {
    static final String ACCOUNTS_STORE = "accounts";
    static final String TRANSFERS_STORE = "transfers";
    static final String APPLIED_HOPS_STORE = "applied-hops";
    static final String EVENTS_SINK = "events-sink";
    static final String COMMANDS_SINK = "commands-sink";
    static final String RESULTS_SINK = "results-sink";
    static final String DEAD_LETTERS_SINK = "dead-letters-sink";
    static final String DEAD_LETTER_REASON_HEADER = DeadLetter.REASON_HEADER;
    static final String DEAD_LETTER_SOURCE_HEADER = DeadLetter.SOURCE_HEADER;
    static final String UNSEALED_HOP = "a saga step the ledger did not write: no valid " + HopSeal.HEADER + " header";
    /** Decoded aggregates kept per kind and task: tens of MB at most, and the hot accounts stay decoded. */
    private static final int CACHED_AGGREGATES = 50_000;

    private final byte[] ledgerKey;
    private final Counter deadLettered;
    private final CommandPartitions partitions;
    private ProcessorContext<String, byte[]> context;
    private AggregateCache<AccountState> accounts;
    private AggregateCache<TransferState> transfers;
    private KeyValueStore<String, Long> appliedHops;
    private HashChain chain;
    private HopSeal seal;

    CommandProcessor(byte[] ledgerKey, Counter deadLettered, CommandPartitions partitions) {
        this.ledgerKey = ledgerKey.clone();
        this.deadLettered = deadLettered;
        this.partitions = partitions;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        // new, empty caches on every (re)initialisation: after an aborted transaction the store is restored
        this.accounts = new AggregateCache<>(context.getStateStore(ACCOUNTS_STORE), absent(AccountDecider.INITIAL),
                CACHED_AGGREGATES);
        this.transfers = new AggregateCache<>(context.getStateStore(TRANSFERS_STORE), absent(TransferDecider.INITIAL),
                CACHED_AGGREGATES);
        this.appliedHops = context.getStateStore(APPLIED_HOPS_STORE);
        this.chain = new HashChain(ledgerKey);
        this.seal = new HopSeal(ledgerKey);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        CommandEnvelope envelope;
        try {
            envelope = LedgerJson.readCommand(record.value() == null ? new byte[0] : record.value());
        } catch (LedgerJson.UnreadableException e) {
            deadLetter(record, e.getMessage());
            return;
        }
        LedgerCommand command = envelope.command();
        String problem = CommandChecks.problem(command, record.key());
        if (problem != null) {
            deadLetter(record, problem);
            return;
        }
        if (SagaHops.isHop(command) && !seal.verifies(record.value(), sealOf(record))) {
            deadLetter(record, UNSEALED_HOP); // forged, or written by a build that did not seal its hops
            return;
        }
        long nowMs = context.currentSystemTimeMs();
        if (SagaHops.isHop(command) && appliedHops.get(envelope.commandId()) != null) {
            return; // this saga step was applied already: deduplicated by transfer id and step
        }
        Queue<CommandEnvelope> local = new ArrayDeque<>();
        apply(envelope, nowMs, local);
        if (SagaHops.isHop(command)) appliedHops.put(envelope.commandId(), nowMs);
        while (!local.isEmpty()) {
            apply(local.poll(), nowMs, local);
        }
        accounts.writeChanges();
        transfers.writeChanges();
    }

    /** Decides one command; follow-ups for this partition join {@code local}, the others go to Kafka. */
    private void apply(CommandEnvelope envelope, long nowMs, Queue<CommandEnvelope> local) {
        boolean hop = SagaHops.isHop(envelope.command());
        switch (envelope.command()) {
            case AccountCommand c -> handle(c.accountId(), AccountDecider.decide(c, accounts.load(c.accountId()).state()),
                    accounts, AccountDecider::evolve, AccountState::version, envelope, hop, nowMs, local);
            case TransferCommand c -> handle(c.transferId(), TransferDecider.decide(c, transfers.load(c.transferId()).state()),
                    transfers, TransferDecider::evolve, TransferState::version, envelope, hop, nowMs, local);
            default -> throw new IllegalStateException("unreachable: checked above");
        }
    }

    private <S, E extends LedgerEvent> void handle(String aggregateId, Decision<E> decision,
                                                  AggregateCache<S> store,
                                                  BiFunction<S, E, S> evolve, ToLongFunction<S> version,
                                                  CommandEnvelope cause, boolean hop, long nowMs,
                                                  Queue<CommandEnvelope> local) {
        Aggregate<S> aggregate = store.load(aggregateId);
        S state = aggregate.state();
        byte[] hash = aggregate.lastHash();
        String causeOfNext = cause.commandId();
        for (int i = 0; i < decision.events().size(); i++) {
            E event = decision.events().get(i);
            var envelope = new EventEnvelope(eventId(cause.commandId(), aggregateId, i), LedgerJson.typeName(event),
                    LedgerJson.SCHEMA_VERSION, aggregateId, version.applyAsLong(state) + 1, Instant.ofEpochMilli(nowMs),
                    cause.commandId(), cause.correlationId(), cause.causationId(), event);
            byte[] bytes = LedgerJson.writeEvent(envelope);
            hash = chain.next(hash, bytes);
            var headers = new RecordHeaders().add(HashChain.HEADER, hash);
            context.forward(new Record<>(aggregateId, bytes, nowMs, headers), EVENTS_SINK);
            state = evolve.apply(state, event);
            causeOfNext = envelope.eventId();
        }
        // the transfer's final outcome answers the client command that started it
        String origin = aggregate.originCommandId() != null || hop ? aggregate.originCommandId() : cause.commandId();
        if (!decision.events().isEmpty()) {
            store.save(aggregateId, new Aggregate<>(state, hash, origin));
        }
        for (LedgerCommand next : decision.followUps()) {
            String transferId = SagaHops.transferId(next);
            var envelope = new CommandEnvelope(transferId + "/" + LedgerJson.typeName(next),
                    LedgerJson.typeName(next), Instant.ofEpochMilli(nowMs), transferId, causeOfNext, next);
            if (partitions.isLocal(next.aggregateId(), context.taskId().partition())) {
                local.add(envelope);
            } else {
                byte[] bytes = LedgerJson.writeCommand(envelope);
                var headers = new RecordHeaders().add(HopSeal.HEADER, seal.seal(bytes));
                context.forward(new Record<>(next.aggregateId(), bytes, nowMs, headers), COMMANDS_SINK);
            }
        }
        long aggregateSeq = version.applyAsLong(state);
        boolean isTransfer = state instanceof TransferState;
        decision.outcome().ifPresent(outcome -> answer(aggregateId, hop && origin != null ? origin : cause.commandId(),
                isTransfer ? withTransferSeq(outcome, aggregateId, aggregateSeq) : outcome, nowMs));
    }

    /** A read of the transfer itself must see its outcome too, so its own seq joins the accounts'. */
    private static Outcome withTransferSeq(Outcome outcome, String transferId, long seq) {
        var position = new java.util.HashMap<>(outcome.position());
        position.put(CommandResult.transferPositionKey(transferId), seq);
        return new Outcome(outcome.status(), outcome.reason(), position, outcome.replayed());
    }

    private void answer(String aggregateId, String commandId, Outcome outcome, long nowMs) {
        byte[] result = LedgerJson.writeValue(new CommandResult(aggregateId, commandId, outcome));
        context.forward(new Record<>(aggregateId, result, nowMs), RESULTS_SINK);
    }

    private static byte[] sealOf(Record<String, byte[]> record) {
        var header = record.headers().lastHeader(HopSeal.HEADER);
        return header == null ? null : header.value();
    }

    private void deadLetter(Record<String, byte[]> record, String reason) {
        var headers = new RecordHeaders()
                .add(DEAD_LETTER_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8))
                .add(DEAD_LETTER_SOURCE_HEADER, context.recordMetadata()
                        .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
                        .orElse("unknown").getBytes(StandardCharsets.UTF_8));
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(), headers), DEAD_LETTERS_SINK);
        deadLettered.increment();
    }

    private static <S> Aggregate<S> absent(S initial) {
        return new Aggregate<>(initial, HashChain.GENESIS, null);
    }

    /** Deterministic, so that the same command decided again yields the same event ids. */
    static String eventId(String commandId, String aggregateId, int index) {
        return UUID.nameUUIDFromBytes((commandId + "\u0000" + aggregateId + "\u0000" + index)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }
}
