package dev.ledger.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads the dead-letter topic from its first offset to the end offsets taken when the read starts, with
 * {@code isolation.level=read_committed}: a dead letter of an aborted transaction was never a dead
 * letter. No consumer group, nothing committed. Dead letters are few, so one thread reads them all.
 */
public final class DeadLetterLog {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** A read that gets nothing for this long while short of the end offsets fails. */
    static final Duration STALL_TIMEOUT = Duration.ofMinutes(1);

    private DeadLetterLog() {
    }

    /** The consumer every reader of the dead-letter topic uses. */
    public static KafkaConsumer<String, byte[]> consumer(KafkaClients clients, String clientId) {
        Properties props = clients.consumer(clientId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Every partition of the topic; fails when it does not exist. */
    public static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist (or has no partitions)");
        }
        return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    }

    /**
     * Hands every dead letter now on the topic to {@code each}, partition by partition in offset order.
     *
     * @return how many there were
     */
    public static long readAll(KafkaClients clients, String topic, Consumer<DeadLetter> each) {
        try (var consumer = consumer(clients, "ledger-dead-letters-reader")) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            consumer.seekToBeginning(partitions);
            Set<TopicPartition> remaining = new HashSet<>(partitions);
            long count = 0;
            long lastProgress = System.nanoTime();
            long lastPositions = -1;
            while (true) {
                long positions = 0;
                for (TopicPartition p : List.copyOf(remaining)) {
                    long position = consumer.position(p, TIMEOUT);
                    positions += position;
                    if (position >= end.get(p)) remaining.remove(p);
                }
                if (remaining.isEmpty()) break;
                // aborted records and transaction markers move the position without a record to show
                if (positions != lastPositions) lastProgress = System.nanoTime();
                lastPositions = positions;
                var records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, byte[]> r : records) {
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) continue;
                    each.accept(DeadLetter.of(r));
                    count++;
                }
                if (System.nanoTime() - lastProgress > STALL_TIMEOUT.toNanos()) {
                    throw new IllegalStateException("no progress reading " + topic + " for "
                            + STALL_TIMEOUT.toSeconds() + " s on " + remaining);
                }
            }
            return count;
        }
    }
}
