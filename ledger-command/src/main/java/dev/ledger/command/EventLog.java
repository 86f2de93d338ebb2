package dev.ledger.command;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.util.function.Consumer;

/** A task's partition of {@code ledger.events}, as its state restore reads it. */
@FunctionalInterface
public interface EventLog {
    /**
     * Hands every committed record of the partition to {@code each}, oldest first, up to the end the
     * partition has when the call starts.
     */
    void read(int partition, Consumer<ConsumerRecord<String, byte[]>> each);

    /**
     * The same read, in slices of bounded time, so that a long history never holds the stream thread
     * (and the transaction it may have open) for long. This default reads everything in the first slice:
     * for a log that is small by nature.
     */
    default Reading open(int partition) {
        return new Reading() {
            @Override
            public boolean readFor(Duration budget, Consumer<ConsumerRecord<String, byte[]>> each) {
                read(partition, each);
                return true;
            }

            @Override
            public void close() {
            }
        };
    }

    /** One read of a partition, from its first record up to its end when the read was opened. */
    interface Reading extends AutoCloseable {
        /** Hands on records, oldest first, for about {@code budget}; true once every record up to the end was handed. */
        boolean readFor(Duration budget, Consumer<ConsumerRecord<String, byte[]>> each);

        @Override
        void close();
    }
}
