package dev.ledger.launcher;

import dev.ledger.audit.AuditReport;
import dev.ledger.kafka.EventCodec;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.EventRecords;
import dev.ledger.kafka.HashChain;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** What the audit and rebuild tests share: more load, topic copies with edits, read model snapshots. */
final class AuditFixtures {
    private AuditFixtures() {
    }

    /** {@code count} random transfers between the customers, ids {@code prefix-i}, recorded by the workload. */
    static void moreTransfers(TransferWorkload workload, String prefix, int count, int clients, long seed) {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                Random random = new Random(seed + c);
                int client = c;
                futures.add(pool.submit(() -> {
                    for (int i = client; i < count; i += clients) {
                        List<String> customers = workload.customers();
                        String debit = customers.get(random.nextInt(customers.size()));
                        String credit = customers.get(random.nextInt(customers.size()));
                        if (debit.equals(credit)) credit = TransferWorkload.SETTLEMENT;
                        workload.submit(prefix + "-" + i, UUID.randomUUID().toString(), debit, credit,
                                1 + random.nextInt(20_000));
                    }
                }));
            }
            for (var f : futures) f.get(5, TimeUnit.MINUTES);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** The balances the test's own records imply: the sum of each account's completed transfers. */
    static Map<String, Long> expectedBalances(TransferWorkload workload, AuditReport report,
                                              java.util.Set<String> completed) {
        Map<String, Long> expected = new TreeMap<>();
        report.accounts().forEach(a -> expected.put(a.accountId(), 0L));
        workload.answers.forEach((id, answer) -> {
            if (!completed.contains(id)) return;
            String[] parties = workload.parties.get(id);
            long amount = workload.amounts.get(id);
            expected.merge(parties[0], -amount, Math::addExact);
            expected.merge(parties[1], amount, Math::addExact);
        });
        return expected;
    }

    static Map<String, Long> balances(AuditReport report) {
        Map<String, Long> balances = new TreeMap<>();
        report.accounts().forEach(a -> balances.put(a.accountId(), a.balance()));
        return balances;
    }

    /** A record of the event topic, to copy. */
    record Rec(int partition, long timestamp, String key, byte[] value, Headers headers) {
        EventEnvelope event() {
            return EventCodec.read(value);
        }

        Rec withValue(byte[] other) {
            return new Rec(partition, timestamp, key, other, headers);
        }
    }

    /**
     * Copies every committed event of the ledger's event topic into a new topic with as many
     * partitions, after {@code edit} has had its way with each partition's list of events: same
     * partition, timestamp, exact bytes and hash-chain link, each event in a record of its own (the
     * first format, which the audit still reads), so that one event can be altered, dropped or moved.
     */
    static String copyEvents(LedgerConfig config, String suffix, UnaryOperator<List<Rec>> edit) {
        String source = config.topics().events();
        String target = source + "." + suffix;
        Map<Integer, List<Rec>> byPartition = new TreeMap<>();
        new LedgerClient(() -> "", config, null).readCommitted(source, r -> {
            for (EventRecords.Stored e : EventRecords.read(r.key(), r.value(), r.headers())) {
                String key = e.key() != null ? e.key() : EventCodec.read(e.value()).aggregateId();
                byPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(new Rec(r.partition(),
                        r.timestamp(), key, e.value(), new RecordHeaders().add(HashChain.HEADER, e.hash())));
            }
        });
        createTopic(config, target);
        try (var producer = producer(config)) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            byPartition.forEach((partition, records) -> {
                for (var r : edit.apply(new ArrayList<>(records))) {
                    sent.add(producer.send(new ProducerRecord<>(target, r.partition(), r.timestamp(), r.key(), r.value(),
                            r.headers())));
                }
            });
            for (var f : sent) f.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not copy the events to " + target, e);
        }
        return target;
    }

    /** Creates the topic and waits until every partition has a leader: a first send would otherwise be retried out of order. */
    static void createTopic(LedgerConfig config, String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, config.partitions(), (short) 1))).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    var description = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                            .get(topic);
                    if (description.partitions().size() == config.partitions() && description.partitions().stream()
                            .allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    // just created: the metadata may not know it yet
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) throw e;
                }
                if (System.nanoTime() > deadline) throw new IllegalStateException(topic + " has no leaders yet");
                Thread.sleep(100);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not create " + topic, e);
        }
    }

    static KafkaProducer<String, byte[]> producer(LedgerConfig config) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1); // order even when a send is retried
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Every row of the read model's three tables, each as text, sorted: equal snapshots mean equal tables. */
    static Map<String, List<String>> readModelRows(LedgerConfig config, String schema) {
        Map<String, List<String>> tables = new TreeMap<>();
        for (String table : List.of("accounts", "entries", "transfers")) {
            var rows = new TreeSet<String>();
            try (var c = DriverManager.getConnection(config.jdbcUrl(), config.dbUser(), config.dbPassword());
                 var s = c.createStatement();
                 var r = s.executeQuery("SELECT t::text FROM " + schema + "." + table + " t")) {
                while (r.next()) rows.add(r.getString(1));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            tables.put(table, List.copyOf(rows));
        }
        return tables;
    }

    static void assertPassed(AuditReport report) {
        assertThat(report.violations()).as(report.summary()).isEmpty();
        assertThat(report.passed()).isTrue();
    }
}
