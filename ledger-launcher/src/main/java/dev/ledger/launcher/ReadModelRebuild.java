package dev.ledger.launcher;

import com.zaxxer.hikari.HikariDataSource;
import dev.ledger.kafka.KafkaClients;
import dev.ledger.kafka.LedgerConfig;
import dev.ledger.launcher.runtime.DataDirectory;
import dev.ledger.projection.LedgerProjection;
import dev.ledger.projection.ReadModelDataSource;
import dev.ledger.projection.ReadModelSchema;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Rebuilds the PostgreSQL read model from offset zero into fresh tables and swaps them in, while the
 * ledger keeps running and reads never stop.
 *
 * <h2>Sequence</h2>
 * <ol>
 *   <li>Create the schema {@code read_model_rebuild_<stamp>} with the same Flyway migrations (they use
 *       unqualified names, so they build any schema).</li>
 *   <li>Run a second, one-off projection into it: the same {@link LedgerProjection} topology under an
 *       application id of its own ({@code <prefix>-rebuild-<stamp>-projection}), which starts at the
 *       first event because the group has no offsets yet.</li>
 *   <li>Wait until its committed offsets reach the end offsets taken at the start, then the end offsets
 *       of a second snapshot: it then trails the head of the log by about one commit interval.</li>
 *   <li>Swap, in one PostgreSQL transaction:
 *     <ol type="a">
 *       <li>{@code LOCK TABLE read_model.accounts, entries, transfers IN EXCLUSIVE MODE}. EXCLUSIVE
 *           conflicts with the row locks and writes of the live projection's flush (its
 *           {@code SELECT ... FOR UPDATE}, {@code INSERT}, {@code UPDATE}) but not with plain
 *           {@code SELECT}s: the API keeps reading the old tables; the live projection's next flush
 *           waits (a few hundred milliseconds, far inside its 30 s statement timeout).</li>
 *       <li>Wait until the rebuilt tables cover the frozen old ones: no old account or transfer row
 *           whose {@code seq} the rebuilt row has not reached. The rebuild keeps following the log
 *           while the lock is held, so this takes about one commit interval.</li>
 *       <li>Stop the rebuild projection (its last flush lands in the rebuilt tables).</li>
 *       <li>{@code ALTER SCHEMA read_model RENAME TO read_model_old_<stamp>};
 *           {@code ALTER SCHEMA read_model_rebuild_<stamp> RENAME TO read_model}; commit.</li>
 *     </ol></li>
 * </ol>
 *
 * <h2>Why nothing is lost</h2>
 * Everything the live projection wrote into the old tables is in the rebuilt ones at the swap (step
 * 4b, checked while its writes are blocked). After the swap the live projection carries on from its own
 * committed offsets, into the new tables: those offsets never run ahead of what it wrote (its sink has
 * no loss window), so every event after them is written again (its seq guards skip what the rebuild
 * already has, and a redelivered event changes nothing), and every event before them was in the old
 * tables, hence in the new ones. Each aggregate's rebuilt row is at or beyond the live projection's, so
 * the next event the live projection writes for it is either a duplicate or the very next seq: never
 * a gap, which would halt it. The counters, entries and transfers are functions of the events alone,
 * so the rebuilt tables equal the ones they replace.
 *
 * <h2>Why the running ledger follows the rename</h2>
 * The ledger's pools set {@code currentSchema=read_model}, i.e. {@code search_path}, and use only
 * unqualified table names, which PostgreSQL resolves when it parses a statement. A rename changes
 * {@code pg_namespace}; the invalidation it sends makes every backend recompute its search path and
 * invalidates every cached plan, server-side prepared statements included (pgjdbc prepares repeated
 * statements on the server after {@code prepareThreshold} uses): their next execution is parsed again
 * and resolves {@code read_model.accounts} to the new table. A flush blocked by the lock acquires it
 * on the old table, sees the invalidation, and resolves the name again. No restart, no change to the
 * API or to the projection; {@code RebuildProjectionsTest} checks that reads and writes after the swap
 * reach the new tables. The rebuilt tables have the same columns, so a re-planned statement keeps its
 * result type.
 *
 * <h2>A stuck partition is carried over, never dropped</h2>
 * A partition the projection is stuck on has parked its events in {@code projection_parked} (see
 * {@code ReadModelBuffer}); the rebuild has that table too. If the rebuild meets the same event, it parks
 * it and every later event of the partition itself: the rebuilt read model is stuck in the same place,
 * and the operator is told. If it applies it (a build with the fix), the partition is current in the
 * rebuilt tables. Either way the swap also waits (step 4b, with {@code projection_parked} locked too) until
 * every event the live projection parked is parked in, or consumed by, the rebuild: else the rebuilt read
 * model could silently lack events the live one had only parked, since the live projection's committed
 * offsets are past them. After the swap, a running instance that was stuck keeps parking that partition's
 * new events (into the new tables) until it is restarted on a build that can apply them.
 *
 * <p>The old schema is kept (for comparison or rollback: rename it back the same way) unless asked to
 * drop it.
 */
public final class ReadModelRebuild {
    private static final Logger LOG = LoggerFactory.getLogger(ReadModelRebuild.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final List<String> TABLES = List.of("accounts", "entries", "transfers", "projection_parked");
    private static final Duration POLL = Duration.ofMillis(200);
    /** The swap gives up and retries past this: the live projection waits at most this long for its flush. */
    private static final Duration SWAP_BUDGET = Duration.ofSeconds(15);
    private static final int SWAP_ATTEMPTS = 3;

    /**
     * @param oldSchema   where the replaced tables are now, or null when they were dropped
     * @param rebuildTook from the start to the swap
     */
    public record Result(String liveSchema, String oldSchema, long eventsProjected, Duration rebuildTook,
                         Duration lockHeld) {
    }

    private final LedgerConfig config;
    private final String liveSchema;
    private final String stamp;
    private final Consumer<String> say;
    private final ProgressLine progress;
    private final Map<String, Object> streamsOverrides;

    /**
     * @param say              one line per step, for the operator
     * @param progress         the catch-up's progress display, or null
     * @param streamsOverrides Kafka Streams settings for the rebuild projection (tests shorten timeouts)
     */
    public ReadModelRebuild(LedgerConfig config, String liveSchema, Consumer<String> say, ProgressLine progress,
                            Map<String, Object> streamsOverrides) {
        this.config = config;
        this.liveSchema = liveSchema;
        this.stamp = STAMP.format(Instant.now()) + "_" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        this.say = say;
        this.progress = progress;
        this.streamsOverrides = streamsOverrides;
    }

    String rebuildSchema() {
        return liveSchema + "_rebuild_" + stamp;
    }

    String oldSchema() {
        return liveSchema + "_old_" + stamp;
    }

    String applicationIdPrefix() {
        return config.applicationIdPrefix() + "-rebuild-" + stamp;
    }

    /** Rebuilds, swaps, and keeps (or drops) the old tables. On failure the live read model is left as it was. */
    public Result run(Duration catchUpTimeout, boolean dropOld) {
        long start = System.nanoTime();
        requireSchema(liveSchema);
        Path stateDir = createStateDir();
        LedgerConfig rebuildConfig = new LedgerConfig(config.bootstrapServers(), config.jdbcUrl(), config.dbUser(),
                config.dbPassword(), config.dbReadUser(), config.dbReadPassword(), config.httpPort(), config.partitions(),
                config.keys(), stateDir, config.topics(), config.commitIntervalMs(), applicationIdPrefix(), config.kafka());
        String applicationId = applicationIdPrefix() + "-projection";
        LedgerProjection projection = null;
        boolean swapped = false;
        try (HikariDataSource rebuildDb = ReadModelDataSource.create(config.jdbcUrl(), config.dbUser(),
                config.dbPassword(), rebuildSchema(), 4);
             Admin admin = KafkaClients.of(config).createAdmin("ledger-rebuild")) {
            ReadModelSchema.migrate(rebuildDb, rebuildSchema(), config.dbReadUser()); // the query side reads it once swapped in
            Map<TopicPartition, Long> target = endOffsets();
            long total = target.values().stream().mapToLong(Long::longValue).sum();
            say.accept(String.format(Locale.ROOT, "Rebuilding the read model into schema %s from %s (%,d offsets)",
                    rebuildSchema(), config.topics().events(), total));
            projection = LedgerProjection.start(rebuildConfig, rebuildDb, new SimpleMeterRegistry(), streamsOverrides);
            long deadline = System.nanoTime() + catchUpTimeout.toNanos();
            awaitCommitted(admin, applicationId, target, projection, deadline, start);
            awaitCommitted(admin, applicationId, endOffsets(), projection, deadline, start); // follow the head
            if (progress != null) progress.finish();
            Duration rebuildTook = Duration.ofNanos(System.nanoTime() - start);
            say.accept(String.format(Locale.ROOT, "Caught up after %.1f s; swapping it in", rebuildTook.toMillis() / 1000.0));

            Duration lockHeld = null;
            for (int attempt = 1; lockHeld == null; attempt++) {
                lockHeld = swap(projection, () -> committedByPartition(admin, applicationId));
                if (lockHeld == null) {
                    if (attempt == SWAP_ATTEMPTS) {
                        throw new IllegalStateException("the rebuilt read model did not cover the live one within "
                                + SWAP_BUDGET.toSeconds() + " s of holding its tables, " + SWAP_ATTEMPTS + " times");
                    }
                    say.accept("The rebuild fell behind the live read model; catching up again");
                    awaitCommitted(admin, applicationId, endOffsets(), projection, deadline, start);
                }
            }
            swapped = true;
            projection = null; // stopped inside the swap
            say.accept(String.format(Locale.ROOT, "Swapped: %s is the rebuilt read model (writes paused %d ms, "
                    + "reads never); the old one is %s", liveSchema, lockHeld.toMillis(), oldSchema()));
            List<String> stuck = stuckIn(liveSchema);
            if (!stuck.isEmpty()) {
                say.accept("The rebuilt read model is STUCK, as the live one was, on " + stuck.size() + " partition(s): "
                        + String.join("; ", stuck) + ". Their events are parked in " + liveSchema + ".projection_parked;"
                        + " reads of them answer 503. Fix the cause and restart the ledger (README: \"A stuck"
                        + " read-model partition\").");
            }
            String old = oldSchema();
            if (dropOld) {
                execute("DROP SCHEMA " + old + " CASCADE");
                say.accept("Dropped " + old);
                old = null;
            }
            deleteGroup(admin, applicationId);
            return new Result(liveSchema, old, total, rebuildTook, lockHeld);
        } finally {
            if (projection != null) projection.close();
            if (!swapped) dropQuietly(rebuildSchema());
            try {
                DataDirectory.deleteTree(stateDir);
            } catch (UncheckedIOException e) {
                LOG.warn("could not delete {}: {}", stateDir, e.getCause().toString());
            }
        }
    }

    /**
     * The swap transaction (see the class comment). Returns how long the old tables were locked, or null
     * when the rebuild did not cover them within the budget (nothing changed then; the lock is released).
     */
    private Duration swap(LedgerProjection projection, Supplier<Map<Integer, Long>> rebuildCommitted) {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL lock_timeout = '" + SWAP_BUDGET.toMillis() + "ms'");
                s.execute("LOCK TABLE " + String.join(", ", TABLES.stream().map(t -> liveSchema + "." + t).toList())
                        + " IN EXCLUSIVE MODE");
                long locked = System.nanoTime();
                long deadline = locked + SWAP_BUDGET.toNanos();
                long uncovered;
                while ((uncovered = uncovered(c, rebuildCommitted.get())) > 0) {
                    if (System.nanoTime() > deadline || !projection.isRunning()) {
                        LOG.info("{} rows of {} not yet in {}; releasing the lock", uncovered, liveSchema, rebuildSchema());
                        c.rollback();
                        return null;
                    }
                    Thread.sleep(20);
                }
                projection.close(); // its final flush lands in the rebuilt schema, which only grows
                if (projection.state() != KafkaStreams.State.NOT_RUNNING) {
                    // a flush still running could land after the rename: rather not swap at all
                    throw new IllegalStateException("the rebuild projection did not stop in time (" + projection.state() + ")");
                }
                if (uncovered(c, rebuildCommitted.get()) > 0) {
                    throw new IllegalStateException("the rebuilt read model shrank while stopping");
                }
                s.execute("ALTER SCHEMA " + liveSchema + " RENAME TO " + oldSchema());
                s.execute("ALTER SCHEMA " + rebuildSchema() + " RENAME TO " + liveSchema);
                c.commit();
                return Duration.ofNanos(System.nanoTime() - locked);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the swap failed; the live read model is unchanged: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during the swap; the live read model is unchanged", e);
        }
    }

    /**
     * Live rows the rebuild has not reached: an account or transfer absent or at a lower seq, and a parked
     * event (see the class comment on stuck partitions) the rebuild has neither parked too nor consumed.
     *
     * @param rebuildCommitted the rebuild's committed offset of each partition of the event topic
     */
    private long uncovered(Connection c, Map<Integer, Long> rebuildCommitted) throws SQLException {
        String sql = "SELECT (SELECT count(*) FROM " + liveSchema + ".accounts o LEFT JOIN " + rebuildSchema()
                + ".accounts n USING (account_id) WHERE n.seq IS NULL OR n.seq < o.seq)"
                + " + (SELECT count(*) FROM " + liveSchema + ".transfers o LEFT JOIN " + rebuildSchema()
                + ".transfers n USING (transfer_id) WHERE n.seq IS NULL OR n.seq < o.seq)"
                + " + (SELECT count(*) FROM " + liveSchema + ".projection_parked o LEFT JOIN " + rebuildSchema()
                + ".projection_parked n USING (topic, event_partition, event_offset, event_index)"
                + " LEFT JOIN unnest(?::int[], ?::bigint[]) AS r (event_partition, committed)"
                + " ON r.event_partition = o.event_partition"
                + " WHERE n.event_offset IS NULL AND (r.committed IS NULL OR o.event_offset >= r.committed))";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("integer", rebuildCommitted.keySet().toArray()));
            ps.setArray(2, c.createArrayOf("bigint", rebuildCommitted.values().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private Map<Integer, Long> committedByPartition(Admin admin, String applicationId) {
        Map<Integer, Long> byPartition = new LinkedHashMap<>();
        committed(admin, applicationId).forEach((tp, offset) -> {
            if (tp.topic().equals(config.topics().events()) && offset != null) {
                byPartition.put(tp.partition(), offset.offset());
            }
        });
        return byPartition;
    }

    /** Partitions the rebuilt read model is stuck on, as the operator should read them after the swap. */
    private List<String> stuckIn(String schema) {
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT DISTINCT ON (event_partition) topic || '-' || event_partition"
                     + " || '@' || event_offset || ': ' || reason FROM " + schema + ".projection_parked"
                     + " ORDER BY event_partition, event_offset, event_index")) {
            List<String> stuck = new ArrayList<>();
            while (rs.next()) stuck.add(rs.getString(1));
            return stuck;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the parked events of " + schema + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits until the rebuild's committed offsets reach the target. A partition may end with a
     * transaction marker, which takes an offset but is no record: one offset short counts as there
     * (the swap itself checks the rows, which is what matters).
     */
    private void awaitCommitted(Admin admin, String applicationId, Map<TopicPartition, Long> target,
                                LedgerProjection projection, long deadline, long start) {
        long total = target.values().stream().mapToLong(Long::longValue).sum();
        while (true) {
            Map<TopicPartition, OffsetAndMetadata> committed = committed(admin, applicationId);
            long done = 0;
            boolean there = true;
            for (var e : target.entrySet()) {
                OffsetAndMetadata offset = committed.get(e.getKey());
                long at = offset == null ? 0 : offset.offset();
                done += Math.min(at, e.getValue());
                if (at < e.getValue() - 1) there = false;
            }
            if (progress != null) progress.update(done, total, System.nanoTime() - start);
            if (there) return;
            if (!projection.isRunning()) {
                throw new IllegalStateException("the rebuild projection stopped (" + projection.state() + "); see the log");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                        "the rebuild did not catch up in time: %,d of %,d offsets", done, total));
            }
            sleep(POLL);
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin, String applicationId) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            return offsets == null ? Map.of() : offsets;
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw new IllegalStateException("cannot read the offsets of " + applicationId + ": " + e.getMessage(), e);
        }
    }

    /** The last stable offsets of the event topic: what a read-committed reader sees now. */
    private Map<TopicPartition, Long> endOffsets() {
        Properties props = KafkaClients.of(config).consumer("ledger-rebuild-end-offsets");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            String topic = config.topics().events();
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            return consumer.endOffsets(partitions, Duration.ofSeconds(30));
        }
    }

    /**
     * The rebuild's consumer group is of no further use. The projection leaves its group on close; a
     * member that did not (a close that timed out) is removed first, else the group stays "not empty"
     * until its session times out.
     */
    private void deleteGroup(Admin admin, String applicationId) {
        try {
            boolean hasMembers = !admin.describeConsumerGroups(List.of(applicationId)).all().get(30, TimeUnit.SECONDS)
                    .get(applicationId).members().isEmpty();
            if (hasMembers) {
                admin.removeMembersFromConsumerGroup(applicationId, new RemoveMembersFromConsumerGroupOptions())
                        .all().get(30, TimeUnit.SECONDS);
            }
            admin.deleteConsumerGroups(List.of(applicationId)).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            // a member that did not leave keeps the group until its session times out: then it may go
            LOG.info("the rebuild's consumer group {} was not deleted ({}); it holds only offsets and expires",
                    applicationId, e.getMessage());
        }
    }

    private void requireSchema(String schema) {
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM information_schema.schemata WHERE schema_name = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("there is no read model (schema " + schema + ") to rebuild at "
                            + config.jdbcUrl() + ": the ledger creates it when it starts");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach PostgreSQL at " + config.jdbcUrl() + ": " + e.getMessage(), e);
        }
    }

    private void execute(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed: " + e.getMessage(), e);
        }
    }

    private void dropQuietly(String schema) {
        try {
            execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (RuntimeException e) {
            LOG.warn("could not drop the unfinished rebuild schema {}: {}", schema, e.getMessage());
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(config.jdbcUrl(), config.dbUser(), config.dbPassword());
    }

    private static Path createStateDir() {
        try {
            return Files.createTempDirectory("ledger-rebuild-");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a state directory for the rebuild", e);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
