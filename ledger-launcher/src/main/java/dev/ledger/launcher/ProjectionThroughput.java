package dev.ledger.launcher;

import com.sun.management.OperatingSystemMXBean;
import com.zaxxer.hikari.HikariDataSource;
import dev.ledger.kafka.KafkaClients;
import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.TopicNames;
import dev.ledger.launcher.runtime.DataDirectory;
import dev.ledger.projection.LedgerProjection;
import dev.ledger.projection.ReadModelDataSource;
import dev.ledger.projection.ReadModelSchema;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Measures the live projection alone: the same {@link LedgerProjection} topology, {@code ReadModelWriter}
 * and commit cadence the running ledger uses, run over an event topic of its own (a history written by
 * {@code ./ledger audit generate-history}) into a throwaway schema, from the first event to the last. The
 * schema, the consumer group and the state directory are removed afterwards.
 */
final class ProjectionThroughput {
    private static final Duration POLL = Duration.ofMillis(100);

    /**
     * @param events         applied by the projection (as its own meter counts them)
     * @param measuredMillis from the first committed offset to the last: the rate excludes joining the group
     * @param flushMillis    time the stream thread spent in flushes to PostgreSQL, retries included
     * @param cpuMillis      CPU time of this whole JVM (every thread: the stream thread, the consumer, GC, JIT) over
     *                       the same span: on a shared machine a steadier figure than the wall-clock rate
     * @param rows           accounts, entries and transfers the schema held at the end
     * @param keptSchema     the schema, when asked to keep it (for EXPLAIN); else null: dropped
     */
    record Result(long offsets, long events, long measuredMillis, long flushes, long flushMillis, long cpuMillis,
                  long rows, String keptSchema) {
        double eventsPerSecond() {
            return events * 1000.0 / Math.max(measuredMillis, 1);
        }

        double flushMicrosPerEvent() {
            return flushMillis * 1000.0 / Math.max(events, 1);
        }

        double cpuMicrosPerEvent() {
            return cpuMillis * 1000.0 / Math.max(events, 1);
        }
    }

    private ProjectionThroughput() {
    }

    /**
     * @param keepSchema leave the projected schema in place (to inspect query plans on it), else drop it
     * @param progress   shows the offsets committed so far
     */
    static Result measure(LedgerConfig ledger, String eventsTopic, Duration timeout, boolean keepSchema,
                          ProgressLine progress) {
        long startNanos = System.nanoTime();
        String stamp = Long.toHexString(System.currentTimeMillis()) + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 16));
        String schema = "read_model_throughput_" + stamp;
        String prefix = ledger.applicationIdPrefix() + "-throughput-" + stamp;
        Path stateDir = tempDir();
        TopicNames topics = new TopicNames(ledger.topics().commands(), eventsTopic, ledger.topics().results(),
                ledger.topics().deadLetters());
        LedgerConfig config = new LedgerConfig(ledger.bootstrapServers(), ledger.jdbcUrl(), ledger.dbUser(),
                ledger.dbPassword(), ledger.dbReadUser(), ledger.dbReadPassword(), ledger.httpPort(), ledger.partitions(),
                ledger.keys(), stateDir, topics, ledger.commitIntervalMs(), prefix, ledger.kafka());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (HikariDataSource db = ReadModelDataSource.create(config.jdbcUrl(), config.dbUser(), config.dbPassword(),
                schema, 4);
             Admin admin = KafkaClients.of(config).createAdmin("ledger-projection-throughput")) {
            try {
                ReadModelSchema.migrate(db, schema, config.dbReadUser());
                Map<TopicPartition, Long> end = endOffsets(config, eventsTopic);
                long total = end.values().stream().mapToLong(Long::longValue).sum();
                long firstNanos = 0;
                long firstCpuNanos = 0;
                long firstOffsets = 0;
                long doneOffsets;
                long deadline = System.nanoTime() + timeout.toNanos();
                try (LedgerProjection projection = LedgerProjection.start(config, db, registry, Map.of())) {
                    while (true) {
                        doneOffsets = committed(admin, prefix + "-projection", end);
                        if (doneOffsets > 0 && firstNanos == 0) {
                            firstNanos = System.nanoTime();
                            firstCpuNanos = cpuNanos();
                            firstOffsets = doneOffsets;
                        }
                        progress.update(doneOffsets, total, System.nanoTime() - startNanos);
                        // a partition may end with a transaction marker, an offset without a record
                        if (doneOffsets >= total - end.size()) break;
                        if (!projection.isRunning()) throw new IllegalStateException("the projection stopped; see the log");
                        if (System.nanoTime() > deadline) throw new IllegalStateException("not caught up within " + timeout);
                        Thread.sleep(POLL.toMillis());
                    }
                }
                long measuredMillis = (System.nanoTime() - firstNanos) / 1_000_000;
                long cpuMillis = (cpuNanos() - firstCpuNanos) / 1_000_000;
                Counter applied = registry.get("ledger.projection.events").tag("outcome", "applied").counter();
                Timer flush = registry.get("ledger.projection.flush").timer();
                // the events of the first commit happened before the clock started: count only those after it
                long events = Math.round(applied.count() * (double) (doneOffsets - firstOffsets) / doneOffsets);
                return new Result(doneOffsets, events, measuredMillis, flush.count(),
                        Math.round(flush.totalTime(TimeUnit.MILLISECONDS)), cpuMillis, rows(db),
                        keepSchema ? schema : null);
            } finally {
                if (!keepSchema) dropSchema(db, schema);
                deleteGroup(admin, prefix + "-projection");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            DataDirectory.deleteTree(stateDir);
        }
    }

    private static long cpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long committed(Admin admin, String groupId, Map<TopicPartition, Long> end) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            long done = 0;
            for (var e : end.entrySet()) {
                OffsetAndMetadata at = offsets == null ? null : offsets.get(e.getKey());
                done += at == null ? 0 : Math.min(at.offset(), e.getValue());
            }
            return done;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the offsets of " + groupId + ": " + e.getMessage(), e);
        }
    }

    private static Map<TopicPartition, Long> endOffsets(LedgerConfig config, String topic) {
        Properties props = KafkaClients.of(config).consumer("ledger-projection-throughput-end-offsets");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(partitions, Duration.ofSeconds(30));
        }
    }

    private static long rows(HikariDataSource db) {
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM entries)"
                     + " + (SELECT count(*) FROM transfers)")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count the rows: " + e.getMessage(), e);
        }
    }

    private static void dropSchema(HikariDataSource db, String schema) {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop " + schema + ": " + e.getMessage(), e);
        }
    }

    private static void deleteGroup(Admin admin, String groupId) {
        try {
            admin.deleteConsumerGroups(List.of(groupId)).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // it holds only offsets, of a topic nobody else projects, and expires
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("ledger-projection-throughput-");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a state directory", e);
        }
    }
}
