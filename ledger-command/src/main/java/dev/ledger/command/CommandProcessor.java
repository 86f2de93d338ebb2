package dev.ledger.command;

import dev.ledger.domain.SagaSteps;
import dev.ledger.domain.account.AccountDecider;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.transfer.TransferDecider;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.kafka.Aggregate;
import dev.ledger.kafka.AggregatePartitions;
import dev.ledger.kafka.CommandEngine;
import dev.ledger.kafka.CommandEnvelope;
import dev.ledger.kafka.CommandRecords;
import dev.ledger.kafka.CommandResult;
import dev.ledger.kafka.DeadLetter;
import dev.ledger.kafka.HopSeal;
import dev.ledger.kafka.LedgerKeys;
import dev.ledger.kafka.EventRecords;
import dev.ledger.kafka.ResultRecords;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The single writer of the ledger. Each record of {@code ledger.commands} carries a batch of commands
 * for aggregates of its partition; the processor decides them in order, each on its own, through the
 * {@link CommandEngine} against the task's aggregates, and writes everything that follows into the
 * task's Kafka transaction, together with the consumed offset (exactly_once_v2): the events with
 * their hash-chain links, each changed aggregate once, the saga's next steps as one record per
 * target partition, and the batch's answers as one record. A command that cannot be read or could
 * never be valid is dead-lettered on its own; its neighbours are decided.
 *
 * <p>The same-partition fast path (in the engine): a saga step addressed to an aggregate of this very
 * partition is applied at once, in the same transaction, instead of taking a round trip through the
 * commands topic and a commit. When the transfer and both accounts share the partition, the whole
 * saga is one atomic step, with the same events in the same order as the round trips would write.
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
    static final String UNKNOWN_KEY = "a saga step sealed under a key this ledger does not hold: " + LedgerKeys.HEADER + " ";
    /** Decoded aggregates kept per kind and task: tens of MB at most, and the hot accounts stay decoded. */
    private static final int CACHED_AGGREGATES = 50_000;

    private final LedgerKeys keys;
    private final Counter deadLettered;
    private final AggregatePartitions partitions;
    private ProcessorContext<String, byte[]> context;
    private AggregateCache<AccountState> accounts;
    private AggregateCache<TransferState> transfers;
    private KeyValueStore<String, Long> appliedHops;
    private CommandEngine engine;
    private HopSeal seal;
    private final CommandEngine.State state = new TaskState();

    CommandProcessor(LedgerKeys keys, Counter deadLettered, AggregatePartitions partitions) {
        this.keys = keys;
        this.deadLettered = deadLettered;
        this.partitions = partitions;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        // new, empty caches on every (re)initialisation: after an aborted transaction the store is restored
        this.accounts = new AggregateCache<>(context.getStateStore(ACCOUNTS_STORE),
                Aggregate.absent(AccountDecider.INITIAL), CACHED_AGGREGATES);
        this.transfers = new AggregateCache<>(context.getStateStore(TRANSFERS_STORE),
                Aggregate.absent(TransferDecider.INITIAL), CACHED_AGGREGATES);
        this.appliedHops = context.getStateStore(APPLIED_HOPS_STORE);
        int partition = context.taskId().partition();
        this.engine = new CommandEngine(keys.signingKey(), aggregateId -> partitions.isLocal(aggregateId, partition));
        this.seal = new HopSeal(keys);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        long nowMs = context.currentSystemTimeMs();
        var out = new BatchOutput();
        // the seal covers the whole record (the processor seals each record of steps it writes); checked
        // once, and only for a record that holds a step: a client's batch carries none and needs no HMAC
        Boolean sealed = null;
        for (CommandRecords.Item item : CommandRecords.read(record.value())) {
            switch (item) {
                case CommandRecords.Unreadable u -> deadLetter(record, u.bytes(), u.reason());
                case CommandRecords.Readable r -> {
                    String problem = CommandChecks.problem(r.envelope().command(), record.key(), partitions);
                    if (problem == null && SagaSteps.isFollowUp(r.envelope().command())) {
                        if (sealed == null) sealed = isSealed(record);
                        // forged, or written by a build that did not seal its steps
                        if (!sealed) problem = unsealedReason(record);
                    }
                    if (problem != null) deadLetter(record, r.bytes(), problem);
                    else engine.decide(r.envelope(), nowMs, state, out);
                }
            }
        }
        accounts.writeChanges();
        transfers.writeChanges();
        out.forward(nowMs);
    }

    /** The events, the saga's next steps and the answers of one input record, each sent as few records as can be. */
    private final class BatchOutput implements CommandEngine.Output {
        private final Map<Integer, List<CommandEnvelope>> stepsByPartition = new TreeMap<>();
        /** By the command they answer: the last answer wins (a transfer settled in this very batch answers once). */
        private final Map<String, CommandResult> results = new LinkedHashMap<>();

        private final List<EventRecords.Stored> events = new ArrayList<>();
        private int eventBytes = EventRecords.emptyBatchSize();

        @Override
        public void event(String aggregateId, long timestampMs, byte[] value, byte[] hash) {
            int size = EventRecords.sizeInBatch(value, hash);
            if (!events.isEmpty() && eventBytes + size > EventRecords.MAX_RECORD_BYTES) forwardEvents(timestampMs);
            events.add(new EventRecords.Stored(aggregateId, value, hash));
            eventBytes += size;
        }

        /** Keyed by the first event's aggregate: every aggregate decided here lives on this partition. */
        private void forwardEvents(long nowMs) {
            if (events.isEmpty()) return;
            context.forward(new Record<>(events.getFirst().key(), EventRecords.write(events), nowMs,
                    keys.sign(new RecordHeaders())), EVENTS_SINK);
            events.clear();
            eventBytes = EventRecords.emptyBatchSize();
        }

        @Override
        public void command(CommandEnvelope step, long timestampMs) {
            stepsByPartition.computeIfAbsent(partitions.partitionOf(step.command().aggregateId()), p -> new ArrayList<>())
                    .add(step);
        }

        @Override
        public void result(CommandResult result) {
            results.remove(result.commandId());
            results.put(result.commandId(), result);
        }

        /** Keyed by the first aggregate: the default partitioner then puts the record where they all live. */
        void forward(long nowMs) {
            forwardEvents(nowMs);
            stepsByPartition.values().forEach(steps -> chunks(steps, CommandRecords.MAX_COMMANDS_PER_RECORD).forEach(
                    chunk -> {
                        byte[] value = CommandRecords.write(chunk);
                        var headers = keys.sign(new RecordHeaders().add(HopSeal.HEADER, seal.seal(value)));
                        context.forward(new Record<>(chunk.get(0).command().aggregateId(), value, nowMs, headers),
                                COMMANDS_SINK);
                    }));
            chunks(List.copyOf(results.values()), CommandRecords.MAX_COMMANDS_PER_RECORD).forEach(chunk -> context.forward(
                    new Record<>(chunk.get(0).aggregateId(), ResultRecords.write(chunk), nowMs), RESULTS_SINK));
        }
    }

    private static <T> List<List<T>> chunks(List<T> items, int size) {
        var chunks = new ArrayList<List<T>>();
        for (int from = 0; from < items.size(); from += size) {
            chunks.add(items.subList(from, Math.min(items.size(), from + size)));
        }
        return chunks;
    }

    /** The engine's view of the task's stores. */
    private final class TaskState implements CommandEngine.State {
        @Override
        public Aggregate<AccountState> account(String accountId) {
            return accounts.load(accountId);
        }

        @Override
        public void account(String accountId, Aggregate<AccountState> account) {
            accounts.save(accountId, account);
        }

        @Override
        public Aggregate<TransferState> transfer(String transferId) {
            return transfers.load(transferId);
        }

        @Override
        public void transfer(String transferId, Aggregate<TransferState> transfer) {
            transfers.save(transferId, transfer);
        }

        @Override
        public boolean stepApplied(String stepId) {
            return appliedHops.get(stepId) != null;
        }

        @Override
        public void stepApplied(String stepId, long nowMs) {
            appliedHops.put(stepId, nowMs);
        }
    }

    private boolean isSealed(Record<String, byte[]> record) {
        var header = record.headers().lastHeader(HopSeal.HEADER);
        return seal.verifies(record.value() == null ? new byte[0] : record.value(), LedgerKeys.idOf(record.headers()),
                header == null ? null : header.value());
    }

    /** Why a step's seal fails: a key the ring no longer (or never) held is named, so that a rotation gone wrong shows. */
    private String unsealedReason(Record<String, byte[]> record) {
        String keyId = LedgerKeys.idOf(record.headers());
        return keys.key(keyId).isPresent() ? UNSEALED_HOP : UNKNOWN_KEY + LedgerKeys.describe(keyId);
    }

    private void deadLetter(Record<String, byte[]> record, byte[] command, String reason) {
        var headers = new RecordHeaders()
                .add(DEAD_LETTER_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8))
                .add(DEAD_LETTER_SOURCE_HEADER, context.recordMetadata()
                        .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
                        .orElse("unknown").getBytes(StandardCharsets.UTF_8));
        context.forward(new Record<>(record.key(), command, record.timestamp(), headers), DEAD_LETTERS_SINK);
        deadLettered.increment();
    }
}
