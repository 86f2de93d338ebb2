package dev.ledger.kafka;

import org.apache.kafka.common.serialization.Serde;

/** A topic is its name plus the serdes of its keys and values: one place, no string literals. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
}
