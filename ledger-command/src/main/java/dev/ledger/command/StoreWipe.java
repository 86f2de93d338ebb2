package dev.ledger.command;

import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.List;

/** Empties a key-value store (Kafka Streams' stores have no truncate). */
final class StoreWipe {
    private StoreWipe() {
    }

    static void deleteAll(KeyValueStore<String, ?> store) {
        List<String> keys = new ArrayList<>();
        // the keys first, then the deletes: no write while an iterator over the store is open
        try (var all = store.all()) {
            all.forEachRemaining(entry -> keys.add(entry.key));
        }
        keys.forEach(store::delete);
    }
}
