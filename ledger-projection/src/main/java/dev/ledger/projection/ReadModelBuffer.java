package dev.ledger.projection;

import dev.ledger.kafka.EventEnvelope;
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

/**
 * A task's events not yet in PostgreSQL, written out before Kafka Streams commits the offsets that
 * cover them: the sink's "no loss window" rule. In memory only: no changelog, not persistent. After a
 * crash the events are simply read again from the last committed offset; the writer is idempotent.
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

    private final ReadModelFlusher flusher;
    private final List<EventEnvelope> pending = new ArrayList<>();
    private String taskId = "?";
    private boolean open;

    ReadModelBuffer(ReadModelFlusher flusher) {
        this.flusher = flusher;
    }

    void add(EventEnvelope event) {
        pending.add(event);
    }

    int size() {
        return pending.size();
    }

    /**
     * Writes every pending event; they stay pending if the write fails. Writing early is always safe
     * (the offsets are committed later, and a redelivery changes nothing); committing early never is.
     */
    void writePending() {
        if (pending.isEmpty()) return;
        ReadModelWriter.Result result = flusher.flush(List.copyOf(pending));
        pending.clear();
        log.debug("task {} projected {} events ({} redelivered)", taskId, result.applied(), result.duplicates());
    }

    /** Kafka Streams' pre-commit hook (see the class comment): runs before the offsets are committed. */
    @Override
    public void flushCache() {
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
        context.register(root, (key, value) -> {
            throw new IllegalStateException("the read model buffer has no changelog to restore from");
        });
        open = true;
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
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Builds one buffer per task; logging (a changelog) is meaningless for it and stays off. */
    static final class Builder implements StoreBuilder<ReadModelBuffer> {
        private final ReadModelFlusher flusher;

        Builder(ReadModelFlusher flusher) {
            this.flusher = flusher;
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
            return new ReadModelBuffer(flusher);
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
