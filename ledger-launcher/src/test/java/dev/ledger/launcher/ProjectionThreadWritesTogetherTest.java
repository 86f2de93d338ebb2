package dev.ledger.launcher;

import com.zaxxer.hikari.HikariDataSource;
import dev.ledger.domain.LedgerEvent;
import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.domain.account.AccountEvent.AccountOpened;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.KafkaClients;
import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.LedgerJson;
import dev.ledger.kafka.LedgerSerdes;
import dev.ledger.kafka.TopicNames;
import dev.ledger.launcher.runtime.DataDirectory;
import dev.ledger.projection.LedgerProjection;
import dev.ledger.projection.ProjectionSettings;
import dev.ledger.projection.ReadModelDataSource;
import dev.ledger.projection.ReadModelSchema;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The projection on a real broker with four partitions of the event topic and one stream thread, so four
 * tasks on that thread, over a real PostgreSQL: the events of every partition that a commit covers go into
 * the read model in one transaction, an event that cannot be applied sticks only its own partition, and a
 * redelivery changes nothing.
 */
class ProjectionThreadWritesTogetherTest {
    private static final int PARTITIONS = 4;
    private static final Duration SETTLE = Duration.ofSeconds(60);
    /** Long enough that the events of one producer request never straddle a commit. */
    private static final long COMMIT_INTERVAL_MS = 3_000;

    private final Map<String, Long> seqs = new HashMap<>();
    private final List<LedgerProjection> projections = new ArrayList<>();
    private String name;
    private String schema;
    private TopicNames topics;
    private Path stateDir;
    private HikariDataSource db;
    private KafkaProducer<String, EventEnvelope> producer;

    @BeforeEach
    void createTopicAndSchema() throws Exception {
        name = "together-" + Long.toHexString(System.nanoTime());
        schema = "read_model_" + name.replace('-', '_');
        topics = TopicNames.prefixed(name + ".");
        stateDir = Files.createTempDirectory("ledger-projection-together-");
        try (Admin admin = KafkaClients.of(config(name)).createAdmin(name)) {
            admin.createTopics(List.of(new NewTopic(topics.events(), PARTITIONS, (short) 1))).all()
                    .get(30, TimeUnit.SECONDS);
        }
        db = ReadModelDataSource.create(SharedInfrastructure.jdbcUrl(), SharedInfrastructure.dbUser(),
                SharedInfrastructure.dbPassword(), schema, 4);
        ReadModelSchema.migrate(db, schema);
        // one producer request carries the events of every partition: they reach the projection together
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfrastructure.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 200),
                new StringSerializer(), LedgerSerdes.events().serializer());
    }

    @AfterEach
    void stop() throws SQLException {
        projections.forEach(LedgerProjection::close);
        if (producer != null) producer.close();
        if (db != null) {
            sql("DROP SCHEMA " + schema + " CASCADE");
            db.close();
        }
        DataDirectory.deleteTree(stateDir);
    }

    @Test
    void the_events_of_every_partition_in_a_commit_go_in_one_transaction_each_once_and_a_redelivery_changes_nothing()
            throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        start("first", registry);
        for (int p = 0; p < PARTITIONS; p++) send(p, opened("warm-" + p));
        producer.flush();
        awaitTrue(() -> count("SELECT count(*) FROM accounts") == PARTITIONS); // every task is running

        for (int p = 0; p < PARTITIONS; p++) {
            send(p, opened("acct-" + p));
            send(p, credit("acct-" + p, "t-" + p, 100));
            send(p, credit("acct-" + p, "u-" + p, 10));
        }
        producer.flush();
        awaitTrue(() -> count("SELECT count(*) FROM accounts WHERE account_id LIKE 'acct-%' AND seq = 3") == PARTITIONS);

        assertThat(strings("SELECT account_id || ' ' || credits_posted FROM accounts WHERE account_id LIKE 'acct-%' "
                + "ORDER BY account_id")).containsExactly("acct-0 110", "acct-1 110", "acct-2 110", "acct-3 110");
        assertThat(count("SELECT count(*) FROM entries")).isEqualTo(2 * PARTITIONS);
        assertThat(count("SELECT count(DISTINCT x) FROM (SELECT xmin::text AS x FROM accounts WHERE account_id LIKE "
                + "'acct-%' UNION ALL SELECT xmin::text FROM entries) rows"))
                .as("PostgreSQL transactions that wrote the four partitions' events").isEqualTo(1);
        List<String> once = snapshot();

        // the offsets are lost (a new consumer group): every event is read and written again
        SimpleMeterRegistry again = new SimpleMeterRegistry();
        start("again", again);
        int all = 4 * PARTITIONS;
        awaitTrue(() -> again.get("ledger.projection.events").tag("outcome", "duplicate").counter().count() == all);

        assertThat(snapshot()).isEqualTo(once);
        assertThat(again.get("ledger.projection.events").tag("outcome", "applied").counter().count()).isZero();
    }

    @Test
    void an_event_that_cannot_be_applied_sticks_only_its_partition_and_the_others_of_the_same_commit_go_in()
            throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        start("first", registry);
        for (int p = 0; p < PARTITIONS; p++) send(p, opened("acct-" + p));
        producer.flush();
        awaitTrue(() -> count("SELECT count(*) FROM accounts") == PARTITIONS);

        for (int p = 0; p < PARTITIONS; p++) send(p, credit("acct-" + p, "t-" + p, 100));
        send(2, envelope(new AccountCredited("acct-2", "t-gap", 5, "bank"), 9)); // seq 3 to 8 never came
        send(2, credit("acct-2", "t-after", 7));
        producer.flush();
        awaitTrue(() -> count("SELECT count(*) FROM projection_parked") == 2
                && count("SELECT count(*) FROM accounts WHERE seq = 2") == PARTITIONS);

        assertThat(balances()).containsExactly("acct-0 100", "acct-1 100", "acct-2 100", "acct-3 100");
        assertThat(strings("SELECT event_partition || '@' || event_offset || ' ' || event_id || ' ' || reason "
                + "FROM projection_parked ORDER BY event_offset"))
                .satisfiesExactly(
                        first -> assertThat(first).startsWith("2@2 evt:acct-2:9 ").contains("gap in acct-2"),
                        behind -> assertThat(behind).startsWith("2@3 evt:acct-2:10 "));
        assertThat(registry.find("ledger.projection.stuck").gauges()).extracting(g -> g.getId().getTag("partition"))
                .containsExactly("2");

        // the other partitions go on; the stuck one parks what comes next
        for (int p = 0; p < PARTITIONS; p++) send(p, credit("acct-" + p, "t2-" + p, 1));
        producer.flush();
        awaitTrue(() -> count("SELECT count(*) FROM accounts WHERE seq = 3") == PARTITIONS - 1);
        awaitTrue(() -> count("SELECT count(*) FROM projection_parked") == 3);

        assertThat(balances()).containsExactly("acct-0 101", "acct-1 101", "acct-2 100", "acct-3 101");
        assertThat(count("SELECT count(*) FROM projection_parked WHERE event_partition <> 2")).isZero();
        assertThat(projections.getFirst().isRunning()).isTrue();
        Gauge stuck = registry.find("ledger.projection.stuck").gauge();
        assertThat(stuck).isNotNull();
        assertThat(stuck.getId().getTag("offset")).isEqualTo("2");
    }

    private void start(String group, SimpleMeterRegistry registry) {
        projections.add(LedgerProjection.start(config(name + "-" + group), db, registry, ProjectionSettings.DEFAULTS,
                Map.of()));
    }

    private LedgerConfig config(String applicationIdPrefix) {
        return new LedgerConfig(SharedInfrastructure.bootstrapServers(), SharedInfrastructure.jdbcUrl(),
                SharedInfrastructure.dbUser(), SharedInfrastructure.dbPassword(), 0, PARTITIONS, new byte[32],
                stateDir.resolve(applicationIdPrefix), topics, COMMIT_INTERVAL_MS, applicationIdPrefix);
    }

    private void send(int partition, EventEnvelope event) {
        producer.send(new ProducerRecord<>(topics.events(), partition, event.aggregateId(), event));
    }

    private EventEnvelope opened(String accountId) {
        return next(new AccountOpened(accountId, Currency.getInstance("EUR"), 0, false, Map.of()));
    }

    private EventEnvelope credit(String accountId, String transferId, long amount) {
        return next(new AccountCredited(accountId, transferId, amount, "bank"));
    }

    private EventEnvelope next(LedgerEvent event) {
        return envelope(event, seqs.getOrDefault(event.aggregateId(), 0L) + 1);
    }

    /** As the command processor writes it; an explicit seq may leave a gap on purpose. */
    private EventEnvelope envelope(LedgerEvent event, long seq) {
        String id = event.aggregateId();
        seqs.merge(id, seq, Math::max);
        String eventId = "evt:" + id + ":" + seq;
        return new EventEnvelope(eventId, LedgerJson.typeName(event), LedgerJson.SCHEMA_VERSION, id, seq,
                Instant.parse("2026-03-01T09:00:00Z").plusSeconds(seq), "cmd:" + eventId, id, "cmd:" + eventId, event);
    }

    private List<String> balances() throws SQLException {
        return strings("SELECT account_id || ' ' || credits_posted FROM accounts ORDER BY account_id");
    }

    private List<String> snapshot() throws SQLException {
        return strings("""
                SELECT 'account ' || row_to_json(a)::text FROM (SELECT * FROM accounts ORDER BY account_id) a
                UNION ALL
                SELECT 'entry ' || row_to_json(e)::text FROM (SELECT * FROM entries ORDER BY entry_id) e
                UNION ALL
                SELECT 'parked ' || row_to_json(p)::text FROM (SELECT topic, event_partition, event_offset, reason
                    FROM projection_parked ORDER BY event_partition, event_offset) p""");
    }

    private void awaitTrue(Callable<Boolean> done) throws Exception {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (!done.call()) {
            if (System.nanoTime() > deadline) fail("not there after " + SETTLE + ": " + balances());
            Thread.sleep(100);
        }
    }

    private long count(String sql) throws SQLException {
        return Long.parseLong(strings(sql).getFirst());
    }

    private List<String> strings(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) rows.add(rs.getString(1));
        }
        return rows;
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
