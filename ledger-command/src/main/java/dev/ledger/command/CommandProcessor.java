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
import dev.ledger.kafka.ThreadTasks;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorNode;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The single writer of the ledger. Each record of {@code ledger.commands} carries a batch of commands
 * for aggregates of its partition; the processor decides them in order, each on its own, through the
 * {@link CommandEngine} against the task's aggregates, and writes everything that follows into the
 * task's Kafka transaction, together with the consumed offset (exactly_once_v2): the events with
 * their hash-chain links, the saga's next steps and the answers. They leave at the thread's commit
 * ({@link CommitOutputs}, through the {@link PreCommitHook}): one record per partition for the events
 * and for the steps, one for the answers, of every input record the thread read since its last commit.
 * A command that cannot be read or could never be valid is dead-lettered on its own, at once; its
 * neighbours are decided.
 *
 * <p>The same-thread fast path (in the engine): a saga step addressed to an aggregate of this very
 * partition, or of another task this stream thread runs ({@link ThreadTasks}), is applied at once, in
 * the same transaction, instead of taking a round trip through the commands topic and a commit. When
 * the transfer and both accounts are on this thread's tasks, the whole saga is one atomic step, with
 * the same events in the same order as the round trips would write; each event still goes to its own
 * aggregate's partition of {@code ledger.events}. {@link LedgerCommandProcessor#STEPS_ACROSS_TASKS}
 * turns the other tasks off (the round trips are then taken between partitions, as between instances),
 * {@link LedgerCommandProcessor#STEPS_IN_PARTITION} the own partition too (every step takes the round
 * trip). Either way, a command read from the commands topic is decided only on its aggregate's own
 * partition ({@link CommandChecks}).
 *
 * <p>The aggregates are not kept a second time in changelogs: their stores have none, and a task
 * rebuilds them from its own partition of {@code ledger.events} (the topics are co-partitioned and only
 * this task's thread writes events there) before it decides its first command, on every
 * (re)initialisation, since a store without a changelog may hold writes of an aborted transaction. So
 * do the marks of the saga steps that wrote an event. A step that wrote none (a refusal, a repeat)
 * leaves no trace in the log, so its mark stays in a small changelogged store: replayed later, it could
 * otherwise succeed. A task joins its thread's tasks only once restored, so no other task writes its
 * aggregates before the restore, which would wipe them.
 */
final class CommandProcessor implements Processor<String, byte[], String, byte[]> {
    private static final Logger log = LoggerFactory.getLogger(CommandProcessor.class);
    static final String ACCOUNTS_STORE = "accounts";
    static final String TRANSFERS_STORE = "transfers";
    /** The steps that wrote an event: rebuilt from the log with the aggregates, no changelog. */
    static final String STEPS_WITH_EVENTS_STORE = "steps-with-events";
    /**
     * The steps that wrote no event, changelogged. The name of the store that once held every step's
     * mark, so that an existing deployment keeps those marks (more than it needs, and harmless).
     */
    static final String STEPS_WITHOUT_EVENTS_STORE = "applied-hops";
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
    private final ProcessorMeters meters;
    private final AggregatePartitions partitions;
    private final ThreadTasks<TaskAggregates> threadTasks;
    private final RestorePacing restorePacing;
    private final EventLog eventLog;
    private final CommitOutputs outputs;
    private final CommitOutputs.Sink sink = new RecordSink();
    private ProcessorContext<String, byte[]> context;
    /** This processor's node in its task, as Kafka Streams sets it while it processes: a forward needs it. */
    private ProcessorNode<?, ?, ?, ?> node;
    private int partition;
    private TaskAggregates aggregates;
    private KeyValueStore<String, Long> stepsWithEvents;
    private KeyValueStore<String, Long> stepsWithoutEvents;
    private CommandEngine engine;
    private HopSeal seal;
    private boolean restored;
    /** The restore under way, between its slices; null before the first and once done. */
    private TaskRestore restoring;
    /** The engine's view: every aggregate of this thread's tasks, from the task that owns it. */
    private final CommandEngine.State state = new StateView(this::owner);

    /**
     * @param keys           the ledger's keys: new records are signed with the signing one, and each
     *                       record read is verified under the one it names
     * @param meters         what the processor counts and times
     * @param threadTasks    the tasks of this topology on each stream thread
     * @param restorePacing  when a task of this topology may spend a slice of its restore
     * @param eventLog       where the task's state is restored from
     * @param outputs        what this topology's tasks decided, per stream thread, until its commit
     */
    CommandProcessor(LedgerKeys keys, ProcessorMeters meters, AggregatePartitions partitions,
                     ThreadTasks<TaskAggregates> threadTasks, RestorePacing restorePacing, EventLog eventLog,
                     CommitOutputs outputs) {
        this.keys = keys;
        this.meters = meters;
        this.partitions = partitions;
        this.threadTasks = threadTasks;
        this.restorePacing = restorePacing;
        this.eventLog = eventLog;
        this.outputs = outputs;
    }

    /** One task's aggregates: decoded copies in front of its stores. */
    static final class TaskAggregates {
        private final AggregateCache<AccountState> accounts;
        private final AggregateCache<TransferState> transfers;

        TaskAggregates(ProcessorContext<String, byte[]> context) {
            this.accounts = new AggregateCache<>(context.getStateStore(ACCOUNTS_STORE),
                    Aggregate.absent(AccountDecider.INITIAL), CACHED_AGGREGATES);
            this.transfers = new AggregateCache<>(context.getStateStore(TRANSFERS_STORE),
                    Aggregate.absent(TransferDecider.INITIAL), CACHED_AGGREGATES);
        }

        void clear() {
            accounts.clear();
            transfers.clear();
        }
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.partition = context.taskId().partition();
        // new, empty caches on every (re)initialisation: after an aborted transaction the store is restored
        this.aggregates = new TaskAggregates(context);
        this.stepsWithEvents = context.getStateStore(STEPS_WITH_EVENTS_STORE);
        this.stepsWithoutEvents = context.getStateStore(STEPS_WITHOUT_EVENTS_STORE);
        boolean inPartition = isOn(context, LedgerCommandProcessor.STEPS_IN_PARTITION);
        boolean acrossTasks = inPartition && isOn(context, LedgerCommandProcessor.STEPS_ACROSS_TASKS);
        this.engine = new CommandEngine(keys.signingKey(), aggregateId -> acrossTasks ? aggregatesOf(aggregateId) != null
                : inPartition && partitions.isLocal(aggregateId, partition));
        this.seal = new HopSeal(keys);
        this.restored = false;
        stopRestore();
        // a slice taken in a pass whose commit never came (the task failed and is initialised again)
        // must not hold back the thread's restores
        restorePacing.refill();
        this.node = null;
        PreCommitHook hook = context.getStateStore(PreCommitHook.NAME);
        hook.onCommit(new PreCommitHook.Action() {
            @Override
            public void beforeCommit() {
                forwardAtCommit();
                // this commit closes the transaction that holds this pass's slice, if one was taken
                restorePacing.refill();
            }

            @Override
            public boolean pending() {
                return !outputs.isEmpty();
            }
        });
    }

    /**
     * Closing with outputs of this task still pending means no commit took them: the task is closed dirty
     * and its transaction aborted (a clean close commits first, and the commit hands everything over).
     */
    @Override
    public void close() {
        threadTasks.remove(partition, aggregates);
        stopRestore();
        int dropped = outputs.drop(partition);
        if (dropped > 0) log.info("task {} closed with {} uncommitted outputs: its input is read again", partition, dropped);
    }

    /**
     * Hands the thread's pending outputs to the producer, from the pre-commit hook, outside any
     * {@code process} call: Kafka Streams forwards only from a processor's node, so the node is set as
     * it is while this processor processes (as Kafka Streams does when its own caches forward at a
     * commit). A task that has not processed since its (re)initialisation has no node yet; the task
     * whose input the outputs came from is in the same commit and hands them over.
     */
    private void forwardAtCommit() {
        if (node == null || outputs.isEmpty()) return;
        var internal = (InternalProcessorContext<?, ?>) context;
        ProcessorNode<?, ?, ?, ?> previousNode = internal.currentNode();
        ProcessorRecordContext previousRecord = internal.recordContext();
        internal.setCurrentNode(node);
        if (previousRecord == null) {
            // a sink reads the record context's metadata; outside processing there may be none
            internal.setRecordContext(new ProcessorRecordContext(context.currentSystemTimeMs(), -1, -1, null,
                    new RecordHeaders()));
        }
        try {
            outputs.forwardAll(sink);
        } finally {
            internal.setCurrentNode(previousNode);
            internal.setRecordContext(previousRecord);
        }
    }

    /** A boolean setting of the ledger's own, on unless set to false. */
    private static boolean isOn(ProcessorContext<?, ?> context, String setting) {
        return !"false".equals(String.valueOf(context.appConfigs().get(setting)));
    }

    /** The aggregates of the task that owns this aggregate, if this thread runs it (restored); else null. */
    private TaskAggregates aggregatesOf(String aggregateId) {
        int owner = partitions.partitionOf(aggregateId);
        return owner == partition ? aggregates : threadTasks.get(owner);
    }

    /**
     * The task that owns an aggregate. One of no task of this thread is the input record's own (the
     * engine applies a step at once only for an aggregate it was told is local), so it is this task's.
     */
    private TaskAggregates owner(String aggregateId) {
        TaskAggregates owner = aggregatesOf(aggregateId);
        return owner != null ? owner : aggregates;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        node = ((InternalProcessorContext<?, ?>) context).currentNode();
        List<CommandRecords.Item> items = CommandRecords.read(record.value());
        // Not in init: the restore must see every committed event of the partition, a previous owner's
        // too. Kafka Streams 4.0 happens to fetch the input's committed offsets (require_stable, so after
        // any transaction of a previous owner that consumed this partition is committed or aborted)
        // before it calls init, but nothing promises that order; a record of the partition, though, is
        // only handed over once the consumer has its position from that stable fetch. Such a previous
        // owner can no longer commit a transaction that was still open then (its group generation is
        // fenced), so reading up to the last stable offset misses nothing.
        if (!restored) {
            String aggregateHere = firstToDecide(items);
            if (aggregateHere != null && !restoreSlice()) {
                defer(record, aggregateHere);
                return;
            }
        }
        long nowMs = context.currentSystemTimeMs();
        long fetchedMs = Math.max(0, nowMs - record.timestamp()); // wall clocks may step back
        var out = new BatchOutput(nowMs);
        // the seal covers the whole record (the processor seals each record of steps it writes); checked
        // once, and only for a record that holds a step: a client's batch carries none and needs no HMAC
        Boolean sealed = null;
        for (CommandRecords.Item item : items) {
            switch (item) {
                case CommandRecords.Unreadable u -> deadLetter(record, u.bytes(), u.reason());
                case CommandRecords.Readable r -> {
                    // the task's partition is the record's: the task reads one partition of one topic
                    String problem = CommandChecks.problem(r.envelope().command(), partition, partitions);
                    if (problem == null && SagaSteps.isFollowUp(r.envelope().command())) {
                        if (sealed == null) sealed = isSealed(record);
                        // forged, or written by a build that did not seal its steps
                        if (!sealed) problem = unsealedReason(record);
                    }
                    if (problem != null) {
                        deadLetter(record, r.bytes(), problem);
                    } else {
                        meters.fetched().record(fetchedMs, TimeUnit.MILLISECONDS);
                        engine.decide(r.envelope(), nowMs, state, out);
                    }
                }
            }
        }
        out.end();
    }

    /**
     * The events, the saga's next steps and the answers of one input record, pending until the commit
     * with those of the thread's other input records ({@link CommitOutputs}).
     */
    private final class BatchOutput implements CommandEngine.Output {
        /** By the command they answer: the last answer wins (a transfer settled in this very batch answers once). */
        private final Map<String, CommandResult> results = new LinkedHashMap<>();
        private final long nowMs;

        BatchOutput(long nowMs) {
            this.nowMs = nowMs;
        }

        /** A step applied on another task of this thread writes its events to that task's partition. */
        @Override
        public void event(String aggregateId, long timestampMs, byte[] value, byte[] hash) {
            outputs.event(partition, partitions.partitionOf(aggregateId), new EventRecords.Stored(aggregateId, value, hash),
                    timestampMs, sink);
        }

        @Override
        public void command(CommandEnvelope step, long timestampMs) {
            outputs.step(partition, partitions.partitionOf(step.command().aggregateId()), step, timestampMs, sink);
        }

        @Override
        public void result(CommandResult result) {
            results.remove(result.commandId());
            results.put(result.commandId(), result);
        }

        void end() {
            results.values().forEach(result -> outputs.result(partition, result, nowMs, sink));
        }
    }

    /**
     * Writes pending outputs as records, each keyed by its first aggregate: the default partitioner then
     * puts a record of events or steps where all of them live.
     */
    private final class RecordSink implements CommitOutputs.Sink {
        @Override
        public void events(List<EventRecords.Stored> events, long timestampMs) {
            context.forward(new Record<>(events.getFirst().key(), EventRecords.write(events), timestampMs,
                    keys.sign(new RecordHeaders())), EVENTS_SINK);
        }

        @Override
        public void steps(List<CommandEnvelope> steps, long timestampMs) {
            byte[] value = CommandRecords.write(steps);
            var headers = keys.sign(new RecordHeaders().add(HopSeal.HEADER, seal.seal(value)));
            context.forward(new Record<>(steps.getFirst().command().aggregateId(), value, timestampMs, headers),
                    COMMANDS_SINK);
        }

        @Override
        public void results(List<CommandResult> results, long timestampMs) {
            context.forward(new Record<>(results.getFirst().aggregateId(), ResultRecords.write(results), timestampMs),
                    RESULTS_SINK);
        }
    }

    /**
     * A view of aggregates for the engine and the restore: each from the task {@code owner} names. Saga steps
     * are deduplicated by the task that reads them from its input, so their marks are this task's.
     */
    private final class StateView implements CommandEngine.State {
        private final Function<String, TaskAggregates> owner;

        StateView(Function<String, TaskAggregates> owner) {
            this.owner = owner;
        }

        @Override
        public Aggregate<AccountState> account(String accountId) {
            return owner.apply(accountId).accounts.load(accountId);
        }

        @Override
        public void account(String accountId, Aggregate<AccountState> account) {
            owner.apply(accountId).accounts.save(accountId, account);
        }

        @Override
        public Aggregate<TransferState> transfer(String transferId) {
            return owner.apply(transferId).transfers.load(transferId);
        }

        @Override
        public void transfer(String transferId, Aggregate<TransferState> transfer) {
            owner.apply(transferId).transfers.save(transferId, transfer);
        }

        @Override
        public boolean stepApplied(String stepId) {
            return stepsWithEvents.get(stepId) != null || stepsWithoutEvents.get(stepId) != null;
        }

        @Override
        public void stepApplied(String stepId, boolean wroteEvents, long nowMs) {
            (wroteEvents ? stepsWithEvents : stepsWithoutEvents).put(stepId, nowMs);
        }
    }

    /**
     * The aggregate of the first command of the record that is to be decided (readable, valid, on this
     * partition), or null when every one is refused without looking at the state.
     */
    private String firstToDecide(List<CommandRecords.Item> items) {
        for (CommandRecords.Item item : items) {
            if (item instanceof CommandRecords.Readable r
                    && CommandChecks.problem(r.envelope().command(), partition, partitions) == null) {
                return r.envelope().command().aggregateId();
            }
        }
        return null;
    }

    /**
     * Spends a slice on the restore if the thread has one due, starting the restore first if it was not
     * under way: the stores rebuilt from the log are cleared (never trusted: they may hold an aborted
     * transaction's writes). A slice asks for a commit at the end of this pass, so that no transaction
     * of the thread holds two.
     *
     * @return whether the task is restored now
     */
    private boolean restoreSlice() {
        if (restoring == null) {
            aggregates.clear();
            StoreWipe.deleteAll(stepsWithEvents);
            // this task's aggregates only: an event on its partition for another partition's aggregate (a
            // foreign producer's) must not reach that partition's state
            var fold = new EventLogRestore(new LoggedEventCheck(keys), new StateView(id -> aggregates),
                    meters.restoreSkipped());
            restoring = new TaskRestore(context.taskId().toString(), eventLog.open(partition), fold);
        }
        if (!restorePacing.takeSlice()) return false;
        boolean done = restoring.slice(RestorePacing.SLICE);
        context.commit();
        if (!done) return false;
        restoring = null;
        restored = true;
        threadTasks.add(partition, aggregates);
        return true;
    }

    /**
     * A command record that came before the task's state is restored goes round again: appended,
     * unchanged (its seal covers the value), to its own partition (keyed by an aggregate that lives
     * there), in this transaction with the input's offset, so it is neither lost nor decided twice.
     * Commands of one aggregate are never in flight together (a saga's next step follows the last; a
     * client waits for its answer), so going round reorders nothing that has an order.
     */
    private void defer(Record<String, byte[]> record, String aggregateHere) {
        restoring.deferred();
        context.forward(record.withKey(aggregateHere), COMMANDS_SINK);
    }

    private void stopRestore() {
        if (restoring != null) restoring.close();
        restoring = null;
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
        meters.deadLettered().increment();
    }
}
