package dev.ledger.command;

import dev.ledger.kafka.Aggregate;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

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
    private final KeyValueStore<String, Aggregate<S>> store;
    private final Aggregate<S> absent;
    private final Map<String, Aggregate<S>> recent;
    /** The ids in {@code recent} whose copy is newer than the store's. */
    private final Set<String> changed = new HashSet<>();

    AggregateCache(KeyValueStore<String, Aggregate<S>> store, Aggregate<S> absent, int capacity) {
        this.store = store;
        this.absent = absent;
        this.recent = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Aggregate<S>> eldest) {
                if (size() <= capacity) return false;
                if (changed.remove(eldest.getKey())) store.put(eldest.getKey(), eldest.getValue());
                return true;
            }
        };
    }

    Aggregate<S> load(String id) {
        Aggregate<S> found = recent.get(id);
        if (found == null) {
            found = store.get(id);
            if (found == null) return absent;
            recent.put(id, found);
        }
        return found;
    }

    void save(String id, Aggregate<S> aggregate) {
        changed.add(id);
        recent.put(id, aggregate);
    }

    /** Forgets every aggregate, in the store too. */
    void clear() {
        recent.clear();
        changed.clear();
        StoreWipe.deleteAll(store);
    }
}
