package dev.ledger.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
 */
public final class LedgerRecords {
    /** Records kept per topic as templates: plenty for variety, little memory. */
    private static final int TEMPLATES_PER_TOPIC = 4_000;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

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

    /** The records of one ledger topic, and how many of them one transfer causes. */
    public record TopicTemplates(String topic, int partitions, double recordsPerTransfer, List<Template> templates) {
        double meanBytes() {
            return templates.stream().mapToInt(Template::bytes).average().orElse(0);
        }
    }

    /** The ledger's records per transfer, topic by topic. */
    public record Profile(int sampledTransfers, List<TopicTemplates> topics) {
        public double recordsPerTransfer() {
            return topics.stream().mapToDouble(TopicTemplates::recordsPerTransfer).sum();
        }

        public BenchResults.RecordProfile summary() {
            var list = topics.stream().map(t -> new BenchResults.TopicProfile(t.topic(), t.partitions(),
                    ClosedLoop.round(t.recordsPerTransfer(), 3), ClosedLoop.round(t.meanBytes(), 1))).toList();
            double bytes = topics.stream().mapToDouble(t -> t.recordsPerTransfer() * t.meanBytes()).sum();
            return new BenchResults.RecordProfile(sampledTransfers, ClosedLoop.round(recordsPerTransfer(), 3),
                    ClosedLoop.round(bytes, 1), list);
        }
    }

    /** The end offsets of every ledger topic now. */
    public static Map<TopicPartition, Long> endOffsets(String bootstrapServers, Predicate<String> ledgerTopic) {
        try (var consumer = consumer(bootstrapServers)) {
            var partitions = new ArrayList<TopicPartition>();
            for (TopicDescription d : describe(bootstrapServers, ledgerTopic).values()) {
                d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition())));
            }
            consumer.assign(partitions); // read_committed end offsets of unassigned partitions log a warning each
            return new HashMap<>(consumer.endOffsets(partitions));
        }
    }

    /**
     * Reads what the ledger committed since {@code before}, caused by {@code transfers} (whose ids
     * and accounts tell the key roles apart).
     */
    public static Profile profile(String bootstrapServers, Map<TopicPartition, Long> before,
                                  List<Workload.Transfer> transfers, Set<String> accounts) {
        var transferIds = new java.util.HashSet<String>();
        transfers.forEach(t -> transferIds.add(t.id()));
        var counts = new TreeMap<String, Long>();
        var templates = new TreeMap<String, List<Template>>();
        var partitionsOf = new TreeMap<String, Integer>();
        before.keySet().forEach(tp -> partitionsOf.merge(tp.topic(), 1, Integer::sum));
        try (var consumer = consumer(bootstrapServers)) {
            var partitions = new ArrayList<>(before.keySet());
            consumer.assign(partitions);
            partitions.forEach(tp -> consumer.seek(tp, before.get(tp)));
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("could not read the ledger's topics");
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) continue;
                    counts.merge(r.topic(), 1L, Long::sum);
                    List<Template> list = templates.computeIfAbsent(r.topic(), t -> new ArrayList<>());
                    if (list.size() < TEMPLATES_PER_TOPIC) list.add(template(r, transferIds, accounts));
                }
            }
        }
        var topics = new ArrayList<TopicTemplates>();
        counts.forEach((topic, count) -> topics.add(new TopicTemplates(topic, partitionsOf.get(topic),
                count / (double) transfers.size(), templates.get(topic))));
        return new Profile(transfers.size(), topics);
    }

    private static Template template(ConsumerRecord<String, byte[]> r, Set<String> transferIds, Set<String> accounts) {
        String key = r.key();
        KeyRole role;
        String kept = key;
        if (key == null) {
            role = KeyRole.LITERAL;
        } else if (transferIds.contains(key)) {
            role = KeyRole.TRANSFER;
        } else if (key.indexOf('/') > 0 && transferIds.contains(key.substring(0, key.indexOf('/')))) {
            role = KeyRole.TRANSFER_WITH_SUFFIX;
            kept = key.substring(key.indexOf('/'));
        } else if (accounts.contains(key)) {
            role = KeyRole.ACCOUNT;
        } else {
            role = KeyRole.LITERAL;
        }
        Header[] headers = r.headers().toArray();
        int bytes = (key == null ? 0 : key.length()) + (r.value() == null ? 0 : r.value().length);
        for (Header h : headers) bytes += h.key().length() + (h.value() == null ? 0 : h.value().length);
        return new Template(role, kept, r.value(), headers, bytes);
    }

    private static Map<String, TopicDescription> describe(String bootstrapServers, Predicate<String> ledgerTopic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
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

    private static KafkaConsumer<String, byte[]> consumer(String bootstrapServers) {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
