package dev.ledger.bench;

import dev.ledger.kafka.KafkaClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What the ledger writes to Kafka per transfer, measured rather than assumed: the end offsets of
 * the ledger's topics are taken before and after a warm-up of known transfers, and everything
 * committed in between is read back (read_committed, so neither aborted records nor transaction
 * markers count). Per topic that gives the records per transfer and real record bytes, which the
 * Kafka limit then replays: the same count, the same sizes, the same compressibility.
 *
 * <p>Nothing here assumes one record per command or per event: a record that carries a batch of
 * commands, events or results counts once, with its whole size, and the figures per transfer are the
 * records and bytes divided by the transfers that caused them. Counts per transfer may therefore be
 * fractions (a command record per 40 transfers: 0.025). The bytes are counted over every record read;
 * the templates the limit replays are a uniform sample of them (reservoir sampling), so that their
 * sizes stand for the whole run, not for its first records.
 *
 * <p>Record bytes are what the ledger hands the producer. What the broker stores differs: the producer
 * compresses each batch (the command processor's producer uses snappy), and batch headers and transaction markers come
 * on top. So the growth of the topics' logs on disk over the same interval is measured too, from the
 * brokers' own account of their log directories.
 */
public final class LedgerRecords {
    /** Records kept per topic as templates: plenty for variety, little memory. */
    private static final int TEMPLATES_PER_TOPIC = 4_000;
    private static final long TEMPLATE_SEED = 42;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(300);

    private LedgerRecords() {
    }

    /** How the key of a template record is rebuilt for another transfer. */
    public enum KeyRole {
        /** the transfer's id (transfer aggregate, results) */
        TRANSFER,
        /** the transfer's id and a suffix (saga hop ids such as {@code <transferId>/ReserveFunds}) */
        TRANSFER_WITH_SUFFIX,
        /** one of the transfer's two accounts */
        ACCOUNT,
        /** kept as it is */
        LITERAL
    }

    public record Template(KeyRole role, String key, byte[] value, Header[] headers, int bytes) {
    }

    /**
     * Where the ledger's topics stand: the end offset of each partition, and the bytes their logs hold
     * on disk (summed over every replica on every broker).
     */
    public record Mark(Map<TopicPartition, Long> endOffsets, long logBytes) {
    }

    /**
     * The records of one ledger topic, how many of them one transfer causes, and their mean size (key,
     * value and headers, uncompressed) over every record read.
     */
    public record TopicTemplates(String topic, int partitions, double recordsPerTransfer, double meanBytes,
                                 List<Template> templates) {
    }

    /**
     * The ledger's records per transfer, topic by topic, and what its logs grew by on disk per transfer.
     */
    public record Profile(int sampledTransfers, List<TopicTemplates> topics, double diskBytesPerTransfer) {
        public double recordsPerTransfer() {
            return topics.stream().mapToDouble(TopicTemplates::recordsPerTransfer).sum();
        }

        public BenchResults.RecordProfile summary() {
            var list = topics.stream().map(t -> new BenchResults.TopicProfile(t.topic(), t.partitions(),
                    ClosedLoop.round(t.recordsPerTransfer(), 3), ClosedLoop.round(t.meanBytes(), 1))).toList();
            double bytes = topics.stream().mapToDouble(t -> t.recordsPerTransfer() * t.meanBytes()).sum();
            return new BenchResults.RecordProfile(sampledTransfers, ClosedLoop.round(recordsPerTransfer(), 3),
                    ClosedLoop.round(bytes, 1), ClosedLoop.round(diskBytesPerTransfer, 1), list);
        }
    }

    /** Where every ledger topic stands now. */
    public static Mark mark(KafkaClients kafka, Predicate<String> ledgerTopic) {
        try (var consumer = consumer(kafka)) {
            var partitions = new ArrayList<TopicPartition>();
            for (TopicDescription d : describe(kafka, ledgerTopic).values()) {
                d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition())));
            }
            consumer.assign(partitions); // read_committed end offsets of unassigned partitions log a warning each
            var endOffsets = new HashMap<>(consumer.endOffsets(partitions));
            return new Mark(endOffsets, logBytes(kafka, endOffsets.keySet()));
        }
    }

    /** The bytes the logs of these partitions hold on disk, every replica on every broker. */
    private static long logBytes(KafkaClients kafka, Set<TopicPartition> partitions) {
        try (Admin admin = kafka.createAdmin("bench-log-dirs")) {
            var brokers = admin.describeCluster().nodes().get().stream().map(Node::id).toList();
            long bytes = 0;
            for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
                for (LogDirDescription dir : dirs.values()) {
                    for (var replica : dir.replicaInfos().entrySet()) {
                        if (partitions.contains(replica.getKey())) bytes += replica.getValue().size();
                    }
                }
            }
            return bytes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not describe the brokers' log directories", e.getCause());
        }
    }

    /**
     * Reads what the ledger committed since {@code before}, caused by {@code transfers} (whose ids
     * and accounts tell the key roles apart), and keeps templates for the limit.
     */
    public static Profile profile(KafkaClients kafka, Mark before,
                                  List<Workload.Transfer> transfers, Set<String> accounts) {
        var transferIds = new java.util.HashSet<String>();
        transfers.forEach(t -> transferIds.add(t.id()));
        return profile(kafka, before, transferIds::contains, accounts, transfers.size());
    }

    /**
     * Reads what the ledger committed since {@code before}, caused by {@code transfers} transfers whose
     * ids {@code transferId} recognises: records and bytes over every record, and templates for the limit.
     */
    public static Profile profile(KafkaClients kafka, Mark before,
                                  Predicate<String> transferId, Set<String> accounts, long transfers) {
        if (transfers < 1) throw new IllegalArgumentException("no transfers to divide by");
        var random = new SplittableRandom(TEMPLATE_SEED);
        var templates = new TreeMap<String, List<Template>>();
        Map<String, long[]> counted = read(kafka, before.endOffsets(), (r, seen) -> {
            List<Template> list = templates.computeIfAbsent(r.topic(), t -> new ArrayList<>());
            // reservoir sampling: after n records, each of them is in the sample with the same chance
            if (list.size() < TEMPLATES_PER_TOPIC) {
                list.add(template(r, transferId, accounts));
            } else {
                long slot = random.nextLong(seen);
                if (slot < TEMPLATES_PER_TOPIC) list.set((int) slot, template(r, transferId, accounts));
            }
        });
        // after the read: every record counted is in the logs now
        long logGrowth = logBytes(kafka, before.endOffsets().keySet()) - before.logBytes();
        var partitionsOf = partitionsOf(before.endOffsets());
        var topics = new ArrayList<TopicTemplates>();
        counted.forEach((topic, c) -> topics.add(new TopicTemplates(topic, partitionsOf.get(topic),
                c[0] / (double) transfers, c[1] / (double) c[0], templates.get(topic))));
        return new Profile((int) Math.min(Integer.MAX_VALUE, transfers), topics, logGrowth / (double) transfers);
    }

    private interface RecordSink {
        /** {@code seen}: records of this topic read so far, this one included. */
        void accept(ConsumerRecord<String, byte[]> record, long seen);
    }

    /** Reads every committed record between {@code before} and the end offsets now; per topic {records, bytes}. */
    private static Map<String, long[]> read(KafkaClients kafka, Map<TopicPartition, Long> before, RecordSink sink) {
        var counted = new TreeMap<String, long[]>();
        try (var consumer = consumer(kafka)) {
            var partitions = new ArrayList<>(before.keySet());
            consumer.assign(partitions);
            partitions.forEach(tp -> consumer.seek(tp, before.get(tp)));
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("could not read the ledger's topics");
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) continue;
                    long[] c = counted.computeIfAbsent(r.topic(), t -> new long[2]);
                    c[0]++;
                    c[1] += bytes(r);
                    sink.accept(r, c[0]);
                }
            }
        }
        return counted;
    }

    private static Map<String, Integer> partitionsOf(Map<TopicPartition, Long> offsets) {
        var partitionsOf = new TreeMap<String, Integer>();
        offsets.keySet().forEach(tp -> partitionsOf.merge(tp.topic(), 1, Integer::sum));
        return partitionsOf;
    }

    /** Key, value and headers, uncompressed: what a record costs before the producer compresses its batch. */
    private static int bytes(ConsumerRecord<String, byte[]> r) {
        int bytes = (r.key() == null ? 0 : r.key().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                + (r.value() == null ? 0 : r.value().length);
        for (Header h : r.headers()) bytes += h.key().length() + (h.value() == null ? 0 : h.value().length);
        return bytes;
    }

    private static Template template(ConsumerRecord<String, byte[]> r, Predicate<String> transferId, Set<String> accounts) {
        String key = r.key();
        KeyRole role;
        String kept = key;
        if (key == null) {
            role = KeyRole.LITERAL;
        } else if (transferId.test(key)) {
            role = KeyRole.TRANSFER;
        } else if (key.indexOf('/') > 0 && transferId.test(key.substring(0, key.indexOf('/')))) {
            role = KeyRole.TRANSFER_WITH_SUFFIX;
            kept = key.substring(key.indexOf('/'));
        } else if (accounts.contains(key)) {
            role = KeyRole.ACCOUNT;
        } else {
            role = KeyRole.LITERAL;
        }
        return new Template(role, kept, r.value(), r.headers().toArray(), bytes(r));
    }

    private static Map<String, TopicDescription> describe(KafkaClients kafka, Predicate<String> ledgerTopic) {
        try (Admin admin = kafka.createAdmin("bench-records")) {
            Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(false)).names().get();
            var chosen = names.stream().filter(ledgerTopic).toList();
            return admin.describeTopics(chosen).allTopicNames().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not list the ledger's topics", e.getCause());
        }
    }

    private static KafkaConsumer<String, byte[]> consumer(KafkaClients kafka) {
        Properties props = kafka.consumer("bench-records");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
