package dev.ledger.command;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

import java.util.Map;

/**
 * A store that holds nothing: its one job is to run its task's processor's hand-over of pending outputs
 * ({@link CommitOutputs}) just before Kafka Streams commits the task. Kafka Streams calls a
 * {@link CachedStateStore}'s {@link #flushCache()} from {@code StreamTask.prepareCommit()}, before it
 * flushes the task's producer and commits the transaction (checked in the kafka-streams 4.3.1 bytecode:
 * {@code StreamTask.flush()} calls {@code ProcessorStateManager.flushCache()}, then
 * {@code RecordCollector.flush()}): the same hook that lets its own record caches forward their
 * contents downstream before a commit, and the one the read-model projection's buffer hangs on.
 * {@code CachedStateStore} is an internal interface; {@link #commit(Map)}, called after the
 * transaction is committed, is a tripwire: outputs still pending there mean a Kafka upgrade stopped
 * calling the hook, and the processor stops rather than lose them.
 */
final class PreCommitHook implements StateStore, CachedStateStore<Void, Void> {
    static final String NAME = "pre-commit-hook";

    /** What the hook runs. */
    interface Action {
        /** Hands the pending outputs over to the task's producer. */
        void beforeCommit();

        /** Whether outputs are pending; after a commit none may be. */
        boolean pending();
    }

    private Action action;
    private boolean open;

    void onCommit(Action action) {
        this.action = action;
    }

    @Override
    public void flushCache() {
        if (action != null) action.beforeCommit();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        if (action != null && action.pending()) {
            throw new IllegalStateException("a commit came without the pre-commit hook: decided outputs were not in "
                    + "the transaction (Kafka Streams no longer calls CachedStateStore.flushCache before committing)");
        }
    }

    @Override
    public void clearCache() {
        // the processor drops its own pending outputs when its task closes
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<Void, Void> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        context.register(root, (key, value) -> {
            throw new IllegalStateException("the pre-commit hook has no changelog to restore from");
        });
        open = true;
    }

    @Override
    public void close() {
        action = null;
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

    /** One hook per task; it has no changelog and no cache of its own. */
    static final class Builder implements StoreBuilder<PreCommitHook> {
        @Override
        public StoreBuilder<PreCommitHook> withCachingEnabled() {
            throw new UnsupportedOperationException("the pre-commit hook holds nothing to cache");
        }

        @Override
        public StoreBuilder<PreCommitHook> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<PreCommitHook> withLoggingEnabled(Map<String, String> config) {
            throw new UnsupportedOperationException("the pre-commit hook has no changelog");
        }

        @Override
        public StoreBuilder<PreCommitHook> withLoggingDisabled() {
            return this;
        }

        @Override
        public PreCommitHook build() {
            return new PreCommitHook();
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
