package dev.ledger.command;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.function.Consumer;

/** A task's partition of {@code ledger.events}, as its state restore reads it. */
@FunctionalInterface
public interface EventLog {
    /**
     * Hands every committed record of the partition to {@code each}, oldest first, up to the end the
     * partition has when the call starts.
     */
    void read(int partition, Consumer<ConsumerRecord<String, byte[]>> each);
}
