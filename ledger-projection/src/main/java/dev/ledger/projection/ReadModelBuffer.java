package dev.ledger.projection;

import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.ThreadTasks;
import dev.ledger.projection.ReadModelWriter.TransactionStep;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A task's events not yet in PostgreSQL, written out before Kafka Streams commits the offsets that
 * cover them: the sink's "no loss window" rule. In memory only: no changelog, not persistent. After a
 * crash the events are simply read again from the last committed offset; the writer is idempotent.
 *
 * <h2>A partition that meets an event it cannot apply</h2>
 * A task is one partition of {@code ledger.events}. When an event cannot be decoded or applied (PostgreSQL
 * refuses its row, the fold finds it impossible), the partition becomes <em>stuck</em>: the events before it
 * are written, and it and every later event of the partition are parked in {@link ParkedEvents}, in the same
 * pre-commit write, so the offsets never cover an event that is neither applied nor parked. The other
 * partitions go on. On every task start (a restart, a rebalance) the parked events are replayed first; once
 * the cause is fixed they go in, and the partition is current again with nothing lost or applied twice.
 *
 * <h2>The tasks of one stream thread write together</h2>
 * Each commit would cost one PostgreSQL transaction per task with events (about seven round trips each).
 * So the first buffer of a stream thread to flush in a commit writes the pending events of every buffer
 * of that thread ({@link ThreadTasks}) that projects normally, in one transaction (or one per
 * {@code maxBatchEvents}), and the other flushes of the commit find nothing left. Different partitions
 * never hold events of the same aggregate, so one fold over all of them is the fold of each in turn. A
 * stuck buffer, or one holding an unreadable record, keeps its own path. When an event of the group cannot
 * be applied, each buffer writes its own events as it would alone, which finds that event and parks it for
 * its own partition only.
 *
 * <h2>Why the write hangs on {@link CachedStateStore#flushCache()} and not on {@code flush()} or
 * {@code commit(Map)}</h2>
 * Checked in the kafka-streams 4.3.1 bytecode (see also KAFKA-9450 and KIP-1035):
 * <ol>
 *   <li>{@code TaskExecutor.commitTasksAndMaybeUpdateCommittableOffsets} calls, in this order,
 *       {@code task.prepareCommit()} on every task, then {@code commitOffsetsOrTransaction(...)} (the
 *       consumer's {@code commitSync}, or the producer's transaction), then {@code task.postCommit()}.</li>
 *   <li>{@code StreamTask.prepareCommit()} calls {@code StreamTask.flush()}, which calls
 *       {@code ProcessorStateManager.flushCache()}: that visits only stores that are a
 *       {@code CachedStateStore} (calling {@code flushCache()}) or a {@code TimeOrderedKeyValueBuffer}.</li>
 *   <li>{@code StateStore.commit(Map)} (which replaced the deprecated {@code flush()}; its default just
 *       calls {@code flush()}, itself a no-op) is called from {@code ProcessorStateManager.commit()}, reached
 *       through {@code postCommit() -> maybeCheckpoint()}: AFTER the offsets are committed, and under EOS
 *       only when a checkpoint is enforced. A sink written there would have a loss window.</li>
 * </ol>
 * So the only hook Kafka Streams calls before it commits offsets is the cache flush: the same
 * mechanism that makes its own record caches forward their contents downstream before a commit.
 * {@code CachedStateStore} is an internal interface; {@link #commit(Map)} is kept as a tripwire so
 * that a Kafka upgrade which stops calling {@link #flushCache()} halts the projection loudly instead of
 * silently reopening the window, and the topology tests fail too (their rows never appear).
 */
final class ReadModelBuffer implements StateStore, CachedStateStore<Void, Void> {
    static final String NAME = "read-model-buffer";
    private static final Logger log = LoggerFactory.getLogger(ReadModelBuffer.class);

    /** The event a partition cannot get past, and why. */
    record StuckAt(EventRecord record, String reason) {
    }

    private final ReadModelFlusher flusher;
    private final ProjectionMetrics metrics;
    private final String topic;
    private final int pageSize;
    private final ThreadTasks<ReadModelBuffer> thread;
    private final List<EventRecord> pending = new ArrayList<>();
    private String taskId = "?";
    private int partition = -1;
    private ParkedEvents parked;
    private StuckAt stuck;
    private boolean open;

    /** A buffer that writes alone: the only one of its thread. */
    ReadModelBuffer(ReadModelFlusher flusher, ProjectionMetrics metrics, String topic, int pageSize) {
        this(flusher, metrics, topic, pageSize, new ThreadTasks<>());
    }

    /**
     * @param pageSize events per transaction when parked events are replayed, and when the thread's buffers
     *                 write together: the batch size
     * @param thread   the buffers of the same topology, to write together with those of the same thread
     */
    ReadModelBuffer(ReadModelFlusher flusher, ProjectionMetrics metrics, String topic, int pageSize,
                    ThreadTasks<ReadModelBuffer> thread) {
        this.flusher = flusher;
        this.metrics = metrics;
        this.topic = topic;
        this.pageSize = pageSize;
        this.thread = thread;
    }

    void add(EventRecord record) {
        pending.add(record);
    }

    int size() {
        return pending.size();
    }

    /** The event this task's partition is stuck on, or null while it projects. */
    StuckAt stuck() {
        return stuck;
    }

    /**
     * Writes every pending event; they stay pending if the write fails transiently. Writing early is
     * always safe (the offsets are committed later, and a redelivery changes nothing); committing early
     * never is. An event that cannot be applied makes the partition stuck: what comes before it is
     * written, it and everything after it parked, all before the offsets that cover them are committed.
     */
    void writePending() {
        if (pending.isEmpty()) return;
        List<EventRecord> batch = List.copyOf(pending);
        // While stuck, only redeliveries of events before the stuck one (applied already) are applied again.
        int parkFrom = stuck == null ? batch.size() : firstAtOrAfter(batch, stuck.record());
        StuckAt failed = applyInOrder(batch.subList(0, parkFrom), records -> TransactionStep.NONE);
        if (failed != null) parkFrom = batch.indexOf(failed.record());
        List<EventRecord> toPark = batch.subList(parkFrom, batch.size());
        if (!toPark.isEmpty()) {
            StuckAt at = failed != null ? failed : stuck;
            flusher.flush(List.of(), parked.park(toPark, at.record(), at.reason()));
            metrics.recordParked(toPark.size());
            if (failed != null) becomeStuck(failed, toPark.size());
        }
        pending.clear();
        log.debug("task {} wrote {} events, parked {}", taskId, parkFrom, toPark.size());
    }

    /**
     * Writes the pending events of every buffer of the calling thread that can take part, this one's too,
     * in one transaction per {@code pageSize} events: the first flush of a commit empties them all.
     */
    private void writeThreadsPending() {
        List<ReadModelBuffer> group = new ArrayList<>();
        int events = 0;
        for (ReadModelBuffer buffer : thread.all()) {
            if (!buffer.canWriteTogether()) continue;
            group.add(buffer);
            events += buffer.pending.size();
            if (events >= pageSize) {
                writeTogether(group);
                group.clear();
                events = 0;
            }
        }
        writeTogether(group);
    }

    /** Open, not stuck, with pending events that could all be read: one that cannot is parked by its own path. */
    private boolean canWriteTogether() {
        if (!open || stuck != null || pending.isEmpty()) return false;
        for (EventRecord record : pending) if (record.event() == null) return false;
        return true;
    }

    private void writeTogether(List<ReadModelBuffer> group) {
        if (group.isEmpty()) return;
        if (group.size() == 1) {
            group.getFirst().writePending();
            return;
        }
        List<EventEnvelope> events = new ArrayList<>();
        for (ReadModelBuffer buffer : group) for (EventRecord record : buffer.pending) events.add(record.event());
        try {
            flusher.flush(events);
        } catch (ProjectionHaltedException oneCannotBeApplied) {
            // Which partition's event is it? Each buffer on its own, as it would write alone: the one holding
            // the event parks it for its partition, the others go in.
            log.info("task {}: the {} events of {} tasks written together include one that cannot be applied "
                    + "({}); writing each task's on its own", taskId, events.size(), group.size(),
                    Printable.of(oneCannotBeApplied.getMessage(), 500));
            for (ReadModelBuffer buffer : group) buffer.writePending();
            return;
        }
        for (ReadModelBuffer buffer : group) buffer.pending.clear();
        log.debug("task {} wrote {} events of {} tasks in one transaction", taskId, events.size(), group.size());
    }

    /**
     * Applies the records in order until one cannot be: returns it and why, or null when all went in.
     *
     * @param alsoInTransaction more work in the transaction that writes the given records' rows
     */
    private StuckAt applyInOrder(List<EventRecord> records, Function<List<EventRecord>, TransactionStep> alsoInTransaction) {
        int unreadable = 0;
        while (unreadable < records.size() && records.get(unreadable).event() != null) unreadable++;
        StuckAt failed = applyReadable(records.subList(0, unreadable), alsoInTransaction);
        if (failed != null) return failed;
        if (unreadable == records.size()) return null;
        EventRecord record = records.get(unreadable);
        return new StuckAt(record, record.unreadable());
    }

    private StuckAt applyReadable(List<EventRecord> records, Function<List<EventRecord>, TransactionStep> alsoInTransaction) {
        if (records.isEmpty()) return null;
        try {
            flusher.flush(events(records), alsoInTransaction.apply(records));
            return null;
        } catch (ProjectionHaltedException batchFailed) {
            if (records.size() == 1) return new StuckAt(records.getFirst(), reason(batchFailed));
            // Which event is it? One at a time, in order: only on this failure path.
            for (EventRecord record : records) {
                try {
                    flusher.flush(List.of(record.event()), alsoInTransaction.apply(List.of(record)));
                } catch (ProjectionHaltedException failed) {
                    return new StuckAt(record, reason(failed));
                }
            }
            return null; // each went in on its own: the batch is written
        }
    }

    /**
     * On task start: replays the partition's parked events, in offset order, each page in the transaction
     * that removes it from the table. The first that still fails keeps the partition stuck.
     */
    private void resumeParked() {
        long replayed = 0;
        while (true) {
            List<EventRecord> page = new ArrayList<>();
            flusher.flush(List.of(), parked.load(pageSize, page::add));
            if (page.isEmpty()) break;
            StuckAt failed = applyInOrder(page, parked::remove);
            if (failed != null) {
                replayed += page.indexOf(failed.record());
                flusher.flush(List.of(), parked.setReason(failed.record(), failed.reason()));
                log.info("task {}: replayed {} parked events before the one that still fails", taskId, replayed);
                becomeStuck(failed, 0);
                return;
            }
            replayed += page.size();
        }
        if (replayed > 0) {
            log.warn("read model projection RESUMED {}-{}: replayed {} parked events; the partition is current again",
                    topic, partition, replayed);
        }
    }

    private void becomeStuck(StuckAt at, int parkedNow) {
        stuck = at;
        EventRecord r = at.record();
        log.error("read model projection STUCK at {}: {}. Its events from there on are parked in projection_parked "
                        + "({} now), reads of its accounts and transfers answer 503; fix the cause and restart "
                        + "(README: \"A stuck read-model partition\")",
                r.position(), Printable.of(at.reason(), ParkedEvents.MAX_REASON_CHARS), parkedNow);
        metrics.stuck(r.topic(), r.partition(), r.offset(), r.eventId(), at.reason());
    }

    private static int firstAtOrAfter(List<EventRecord> batch, EventRecord stuckOn) {
        for (int i = 0; i < batch.size(); i++) if (batch.get(i).isAtOrAfter(stuckOn)) return i;
        return batch.size();
    }

    private static List<EventEnvelope> events(List<EventRecord> records) {
        return records.stream().map(EventRecord::event).toList();
    }

    /** The halt's message and, when PostgreSQL refused the rows, what PostgreSQL said. */
    private static String reason(ProjectionHaltedException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root == e ? e.getMessage() : e.getMessage() + ": " + root.getMessage();
    }

    /**
     * Kafka Streams' pre-commit hook (see the class comment): runs before the offsets are committed. The
     * first of the thread's buffers to flush writes theirs too; what is left here is this buffer's own path.
     */
    @Override
    public void flushCache() {
        writeThreadsPending();
        writePending();
    }

    /** Called from post-commit, after the offsets: by then nothing may be pending. */
    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        if (pending.isEmpty()) return;
        int unwritten = pending.size();
        log.error("task {}: offsets were committed before {} buffered events reached PostgreSQL; Kafka Streams "
                + "no longer calls flushCache() before committing. Writing them now and halting.", taskId, unwritten);
        writePending();
        throw new ProjectionHaltedException("the pre-commit hook was skipped for " + unwritten
                + " events: the projection has a loss window with this Kafka Streams version");
    }

    /** Called when a task is recycled: its uncommitted events will be read again by whoever owns it next. */
    @Override
    public void clearCache() {
        pending.clear();
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<Void, Void> listener, boolean sendOldValues) {
        return false; // forwards nothing downstream
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        taskId = String.valueOf(context.taskId());
        // one source topic: task 0_p reads partition p of it
        partition = context.taskId().partition();
        parked = new ParkedEvents(topic, partition);
        context.register(root, (key, value) -> {
            throw new IllegalStateException("the read model buffer has no changelog to restore from");
        });
        resumeParked();
        open = true;
        thread.add(partition, this);
    }

    /**
     * After a clean close the pre-commit hook has emptied the buffer already; after a dirty close the
     * offsets were not committed, so dropping what is left loses nothing.
     */
    @Override
    public void close() {
        if (!pending.isEmpty()) log.info("task {} closing with {} unwritten events: they will be read again", taskId,
                pending.size());
        pending.clear();
        // whoever owns the partition next reports it
        if (stuck != null) metrics.unstuck(topic, partition);
        stuck = null;
        open = false;
        thread.remove(partition, this);
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /**
     * Builds one buffer per task, all sharing one {@link ThreadTasks}; logging (a changelog) is meaningless
     * for it and stays off.
     */
    static final class Builder implements StoreBuilder<ReadModelBuffer> {
        private final ReadModelFlusher flusher;
        private final ProjectionMetrics metrics;
        private final String topic;
        private final int pageSize;
        private final ThreadTasks<ReadModelBuffer> thread = new ThreadTasks<>();

        Builder(ReadModelFlusher flusher, ProjectionMetrics metrics, String topic, int pageSize) {
            this.flusher = flusher;
            this.metrics = metrics;
            this.topic = topic;
            this.pageSize = pageSize;
        }

        @Override
        public StoreBuilder<ReadModelBuffer> withCachingEnabled() {
            throw new UnsupportedOperationException("the read model buffer is its own cache");
        }

        @Override
        public StoreBuilder<ReadModelBuffer> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<ReadModelBuffer> withLoggingEnabled(Map<String, String> config) {
            throw new UnsupportedOperationException("the read model buffer has no changelog");
        }

        @Override
        public StoreBuilder<ReadModelBuffer> withLoggingDisabled() {
            return this;
        }

        @Override
        public ReadModelBuffer build() {
            return new ReadModelBuffer(flusher, metrics, topic, pageSize, thread);
        }

        @Override
        public Map<String, String> logConfig() {
            return Map.of();
        }

        @Override
        public boolean loggingEnabled() {
            return false;
        }

        @Override
        public String name() {
            return NAME;
        }
    }
}
