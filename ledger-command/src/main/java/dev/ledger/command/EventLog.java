package dev.ledger.command;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** A task's partition of {@code ledger.events}, as its state restore reads it. */
@FunctionalInterface
public interface EventLog {
    /**
     * Opens a read of the partition from its first committed record up to the end it has now, to be
     * read in slices of bounded time, so that a long history never holds the stream thread (and the
     * transaction it may have open) for long.
     */
    Reading open(int partition);

    /**
     * A log small by nature, read whole in the first slice.
     *
     * @param read hands every record of a partition to the consumer, oldest first
     */
    static EventLog whole(BiConsumer<Integer, Consumer<ConsumerRecord<String, byte[]>>> read) {
        return partition -> new Reading() {
            @Override
            public boolean readFor(Duration budget, Consumer<ConsumerRecord<String, byte[]>> each) {
                read.accept(partition, each);
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
