package dev.ledger.audit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import dev.ledger.kafka.EventRecords;
import dev.ledger.kafka.HashChain;
import dev.ledger.kafka.LedgerKeys;
import dev.ledger.kafka.KafkaClients;
import dev.ledger.kafka.LedgerJson;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Reads a topic from its first offset to the end offsets taken when the audit starts, with
 * {@code isolation.level=read_committed} (so the end is the last stable offset, and an aborted
 * transaction's events are never seen), on a few threads that each own a share of the partitions and
 * read them in order: an aggregate's events, which share one partition, are folded in their order.
 * No consumer group: partitions are assigned, nothing is committed, the ledger is not disturbed.
 *
 * <p>Tuned for throughput: large fetches and polls, so that the JSON parse, not the network, bounds
 * the replay.
 */
final class AuditReader {
    /** A thread that reads nothing for this long while its partitions are not at their end offsets fails. */
    static final Duration STALL_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration POLL = Duration.ofMillis(200);

    /** The partitions of the topic and the range of offsets the audit covers. */
    record Snapshot(String topic, List<TopicPartition> partitions, Map<TopicPartition, Long> begin,
                    Map<TopicPartition, Long> end) {
        long offsets() {
            return partitions.stream().mapToLong(p -> end.get(p) - begin.get(p)).sum();
        }
    }

    private AuditReader() {
    }

    static Properties consumerProperties(KafkaClients clients, String clientId) {
        Properties props = clients.consumer(clientId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 20_000);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        props.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, 4 * 1024 * 1024);
        return props;
    }

    static KafkaConsumer<String, byte[]> consumer(KafkaClients clients, String clientId) {
        return new KafkaConsumer<>(consumerProperties(clients, clientId), new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    /** The end offsets now: what the audit will read up to. */
    static Snapshot snapshot(KafkaClients clients, String topic) {
        try (var consumer = consumer(clients, "ledger-audit-snapshot")) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist (or has no partitions)");
            }
            List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition()))
                    .sorted(Comparator.comparingInt(TopicPartition::partition)).toList();
            consumer.assign(partitions); // so that the end offsets are the last stable ones, without warnings
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, Duration.ofSeconds(30));
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            return new Snapshot(topic, partitions, begin, end);
        }
    }

    /**
     * Reads every partition of the snapshot into shards, one thread each; returns them once all are done.
     *
     * @throws IllegalStateException when a thread cannot read its partitions to their end
     */
    static List<AuditShard> read(KafkaClients clients, Snapshot snapshot, int threads,
                                 Supplier<AuditShard> shardFactory, AuditProgress progress) {
        List<List<TopicPartition>> shares = shares(snapshot, threads);
        LongAdder read = new LongAdder();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<KafkaConsumer<String, byte[]>> consumers = new ArrayList<>();
        List<AuditShard> shards = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < shares.size(); i++) {
                var consumer = consumer(clients, "ledger-audit-" + i);
                consumers.add(consumer);
                AuditShard shard = shardFactory.get();
                shards.add(shard);
                List<TopicPartition> share = shares.get(i);
                Thread worker = new Thread(() -> {
                    try {
                        readShare(consumer, share, snapshot, shard, read);
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                        consumers.forEach(KafkaConsumer::wakeup);
                    }
                }, "ledger-audit-" + i);
                workers.add(worker);
            }
            workers.forEach(Thread::start);
            long total = snapshot.offsets();
            for (Thread worker : workers) {
                while (worker.isAlive()) {
                    worker.join(250);
                    progress.update(read.sum(), total, System.nanoTime() - start);
                }
            }
            progress.update(read.sum(), total, System.nanoTime() - start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            consumers.forEach(KafkaConsumer::wakeup);
            throw new IllegalStateException("interrupted while reading " + snapshot.topic(), e);
        } finally {
            for (Thread worker : workers) {
                try {
                    worker.join(30_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            consumers.forEach(KafkaConsumer::close);
        }
        Throwable failed = failure.get();
        if (failed != null) {
            throw new IllegalStateException("could not read " + snapshot.topic() + ": " + failed.getMessage(), failed);
        }
        return shards;
    }

    /** Partitions dealt to threads so that each has about as many offsets to read: largest first. */
    static List<List<TopicPartition>> shares(Snapshot snapshot, int threads) {
        int count = Math.max(1, Math.min(threads, snapshot.partitions().size()));
        List<List<TopicPartition>> shares = new ArrayList<>();
        long[] load = new long[count];
        for (int i = 0; i < count; i++) shares.add(new ArrayList<>());
        snapshot.partitions().stream()
                .sorted(Comparator.comparingLong((TopicPartition p) -> snapshot.begin().get(p) - snapshot.end().get(p))
                        .thenComparingInt(TopicPartition::partition))
                .forEach(p -> {
                    int least = 0;
                    for (int i = 1; i < count; i++) if (load[i] < load[least]) least = i;
                    shares.get(least).add(p);
                    load[least] += snapshot.end().get(p) - snapshot.begin().get(p);
                });
        return shares;
    }

    /** Every event of the record: the first format one per record with its link in a header, a batch many. */
    private static void accept(AuditShard shard, ConsumerRecord<String, byte[]> r) {
        if (!EventRecords.isBatch(r.value())) {
            Header hash = r.headers().lastHeader(HashChain.HEADER);
            shard.accept(r.partition(), r.offset(), r.key(), r.value(), hash == null ? null : hash.value(),
                    LedgerKeys.idOf(r.headers()));
            return;
        }
        List<EventRecords.Stored> events;
        try {
            events = EventRecords.read(r.key(), r.value(), r.headers());
        } catch (LedgerJson.UnreadableException e) {
            shard.unreadableRecord(r.partition(), r.offset(), r.key(), e.getMessage());
            return;
        }
        String keyId = LedgerKeys.idOf(r.headers()); // one key signed every event of a record
        events.forEach(e -> shard.acceptInBatch(r.partition(), r.offset(), e.value(), e.hash(), keyId));
    }

    private static void readShare(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> share,
                                  Snapshot snapshot, AuditShard shard, LongAdder read) {
        Set<TopicPartition> remaining = new HashSet<>();
        for (TopicPartition p : share) if (snapshot.end().get(p) > snapshot.begin().get(p)) remaining.add(p);
        if (remaining.isEmpty()) return;
        consumer.assign(remaining);
        consumer.seekToBeginning(remaining);
        Map<TopicPartition, Long> lastPosition = new HashMap<>();
        long lastProgress = System.nanoTime();
        try {
            while (!remaining.isEmpty()) {
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                for (TopicPartition partition : records.partitions()) {
                    long end = snapshot.end().get(partition);
                    int n = 0;
                    for (ConsumerRecord<String, byte[]> r : records.records(partition)) {
                        if (r.offset() >= end) break; // written after the audit started
                        accept(shard, r);
                        n++;
                    }
                    read.add(n);
                }
                List<TopicPartition> done = new ArrayList<>();
                for (TopicPartition p : remaining) {
                    long position = consumer.position(p);
                    if (position >= snapshot.end().get(p)) done.add(p);
                    if (!Long.valueOf(position).equals(lastPosition.put(p, position))) lastProgress = System.nanoTime();
                }
                if (!done.isEmpty()) {
                    done.forEach(remaining::remove);
                    consumer.pause(done); // read no further than the snapshot
                }
                if (System.nanoTime() - lastProgress > STALL_TIMEOUT.toNanos()) {
                    throw new IllegalStateException("no progress for " + STALL_TIMEOUT.toSeconds() + " s on "
                            + remaining + " (positions " + lastPosition + ", end offsets " + snapshot.end() + ")");
                }
            }
        } catch (WakeupException stopped) {
            // another thread failed: its failure is the one reported
        }
    }
}
