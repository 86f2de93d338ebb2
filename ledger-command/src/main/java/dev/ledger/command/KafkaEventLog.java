package dev.ledger.command;

import dev.ledger.kafka.KafkaClients;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * Reads a partition of {@code ledger.events} from its first offset with a consumer of its own
 * (read_committed: an aborted transaction's events never were; no group, nothing committed), up to
 * the partition's last stable offset when the read starts: every event before it is decided,
 * committed or aborted.
 */
final class KafkaEventLog implements EventLog {
    /** A broker that does not answer for this long fails the restore (and the task) rather than hang it. */
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int MAX_POLL_RECORDS = 5_000;
    /** What is read is there already: a fetch need not wait for more (the default 500 ms showed in every restore). */
    private static final int FETCH_MAX_WAIT_MS = 10;

    private final KafkaClients clients;
    private final String topic;

    KafkaEventLog(KafkaClients clients, String topic) {
        this.clients = clients;
        this.topic = topic;
    }

    @Override
    public Reading open(int partition) {
        Properties props = clients.consumer("ledger-command-restore-" + partition);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
        var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        try {
            var tp = new TopicPartition(topic, partition);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), TIMEOUT).get(tp);
            return new PartitionReading(consumer, tp, end);
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    /** A consumer kept open between slices, positioned where the last slice stopped. */
    private static final class PartitionReading implements Reading {
        private final KafkaConsumer<String, byte[]> consumer;
        private final TopicPartition tp;
        private final long end;
        private long lastProgressNs = System.nanoTime();

        PartitionReading(KafkaConsumer<String, byte[]> consumer, TopicPartition tp, long end) {
            this.consumer = consumer;
            this.tp = tp;
            this.end = end;
        }

        @Override
        public boolean readFor(Duration budget, Consumer<ConsumerRecord<String, byte[]>> each) {
            long deadlineNs = System.nanoTime() + budget.toNanos();
            while (consumer.position(tp, TIMEOUT) < end) {
                if (System.nanoTime() >= deadlineNs) return false;
                var records = consumer.poll(POLL);
                records.forEach(each);
                if (!records.isEmpty()) lastProgressNs = System.nanoTime();
                else if (System.nanoTime() - lastProgressNs > TIMEOUT.toNanos()) {
                    throw new IllegalStateException("no record of " + tp + " for " + TIMEOUT.toSeconds()
                            + " s below its end offset " + end + " (at " + consumer.position(tp, TIMEOUT) + ")");
                }
            }
            return true;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
