package dev.ledger.command;

import dev.ledger.kafka.Aggregate;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The task's aggregates of one kind, decoded, in front of their state store, which holds only those
 * the cache had no room for. An aggregate is written to the store when it leaves the cache, changed
 * since it was read, not each time it changes: the store is never read across a (re)initialisation
 * (a restore clears and rebuilds it from the event log first), so nothing needs it sooner, and the
 * hot aggregates are never encoded at all (encoding every change was a fifth of the stream thread in
 * the batch scenario). Only the processor writes the store, so the copies cannot go stale; they are
 * dropped whenever the task is (re)initialised, as Kafka Streams does after a failed transaction, and
 * when the store is cleared for a restore.
 */
final class AggregateCache<S> {
    /**
     * An aggregate in the cache and whether it is newer than the store's copy: one entry per id, so a
     * change costs one lookup (a set of changed ids beside the map cost a second hash, and a third at
     * eviction: 6% of the command thread in the batch scenario).
     */
    private static final class Slot<S> {
        private Aggregate<S> aggregate;
        private boolean changed;

        Slot(Aggregate<S> aggregate, boolean changed) {
            this.aggregate = aggregate;
            this.changed = changed;
        }
    }

    private final KeyValueStore<String, Aggregate<S>> store;
    private final Aggregate<S> absent;
    private final Map<String, Slot<S>> recent;

    AggregateCache(KeyValueStore<String, Aggregate<S>> store, Aggregate<S> absent, int capacity) {
        this.store = store;
        this.absent = absent;
        this.recent = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Slot<S>> eldest) {
                if (size() <= capacity) return false;
                if (eldest.getValue().changed) store.put(eldest.getKey(), eldest.getValue().aggregate);
                return true;
            }
        };
    }

    Aggregate<S> load(String id) {
        Slot<S> slot = recent.get(id);
        if (slot != null) return slot.aggregate;
        Aggregate<S> stored = store.get(id);
        if (stored == null) return absent;
        recent.put(id, new Slot<>(stored, false));
        return stored;
    }

    void save(String id, Aggregate<S> aggregate) {
        Slot<S> slot = recent.get(id);
        if (slot == null) {
            recent.put(id, new Slot<>(aggregate, true));
        } else {
            slot.aggregate = aggregate;
            slot.changed = true;
        }
    }

    /** Forgets every aggregate, in the store too. */
    void clear() {
        recent.clear();
        StoreWipe.deleteAll(store);
    }
}
