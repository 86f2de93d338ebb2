package dev.ledger.command;

import dev.ledger.kafka.Aggregate;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The task's aggregates of one kind, in front of their state store: reads come from the decoded
 * copies of the recently used ones (a store read decodes JSON), and the writes of one input record
 * are collected and written once each when it is done, so a saga run in one step writes each
 * aggregate once. Only the processor writes the store, so the copies cannot go stale; they are
 * dropped whenever the task is (re)initialised, as Kafka Streams does after a failed transaction, and
 * when the store is cleared for a restore.
 */
final class AggregateCache<S> {
    private final KeyValueStore<String, Aggregate<S>> store;
    private final Aggregate<S> absent;
    private final Map<String, Aggregate<S>> recent;
    private final Map<String, Aggregate<S>> unwritten = new LinkedHashMap<>();

    AggregateCache(KeyValueStore<String, Aggregate<S>> store, Aggregate<S> absent, int capacity) {
        this.store = store;
        this.absent = absent;
        this.recent = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Aggregate<S>> eldest) {
                return size() > capacity;
            }
        };
    }

    Aggregate<S> load(String id) {
        Aggregate<S> found = unwritten.get(id);
        if (found == null) found = recent.get(id);
        if (found == null) {
            found = store.get(id);
            if (found == null) return absent;
            recent.put(id, found);
        }
        return found;
    }

    void save(String id, Aggregate<S> aggregate) {
        unwritten.put(id, aggregate);
        recent.put(id, aggregate);
    }

    /** Writes what the current input record changed: one store write per aggregate. */
    void writeChanges() {
        unwritten.forEach(store::put);
        unwritten.clear();
    }

    /** Forgets every aggregate, in the store too. */
    void clear() {
        recent.clear();
        unwritten.clear();
        StoreWipe.deleteAll(store);
    }
}
