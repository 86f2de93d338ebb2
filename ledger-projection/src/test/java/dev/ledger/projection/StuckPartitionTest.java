package dev.ledger.projection;

import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.domain.transfer.TransferEvent.TransferInitiated;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.LedgerSerdes;
import dev.ledger.kafka.TopicNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A partition meets an event it cannot decode or apply: it is stuck and says so, parks that event and
 * every later one, and a restart after the cause is fixed replays them with nothing lost or applied twice.
 * The whole topology on {@link TopologyTestDriver} (a restart is a new driver) over a real PostgreSQL.
 */
class StuckPartitionTest {
    private static final String TOPIC = TopicNames.DEFAULT.events();

    @TempDir
    static Path dir;
    static TestDatabase db;

    SimpleMeterRegistry registry;
    TopologyTestDriver driver;
    TestInputTopic<String, EventEnvelope> events;
    TestInputTopic<String, byte[]> raw;
    int restarts;

    @BeforeAll
    static void startPostgres() {
        db = TestDatabase.start(dir.resolve("pg"));
    }

    @AfterAll
    static void stopPostgres() {
        if (db != null) db.close();
    }

    @BeforeEach
    void start() throws SQLException {
        db.truncate();
        startDriver();
    }

    @AfterEach
    void stop() throws SQLException {
        driver.close();
        db.execute("ALTER TABLE accounts DROP CONSTRAINT IF EXISTS test_refuses_big_credits");
    }

    /** A restart: the tasks start again, and first replay what their partition has parked. */
    private void startDriver() {
        registry = new SimpleMeterRegistry();
        driver = LedgerProjectionTopologyTest.driver(db, registry, ProjectionSettings.DEFAULTS,
                dir.resolve("state-" + restarts++));
        events = driver.createInputTopic(TOPIC, new StringSerializer(), LedgerSerdes.events().serializer());
        raw = driver.createInputTopic(TOPIC, new StringSerializer(), new ByteArraySerializer());
    }

    private void restart() {
        driver.close();
        startDriver();
    }

    @Test
    void given_an_unreadable_record_then_its_partition_parks_it_and_all_after_it_and_reports_it() throws SQLException {
        SagaEvents log = new SagaEvents();
        LedgerProjectionTopologyTest.pipe(events, List.of(log.append(SagaEvents.opened("alice"))));

        raw.pipeInput("alice", new byte[]{(byte) 0xff, 0x00, '{'});
        LedgerProjectionTopologyTest.pipe(events, List.of(log.append(new AccountCredited("alice", "t-1", 700, "bank"))));

        assertThat(balances()).containsExactly("alice credits 0 seq 1");
        assertThat(parked()).containsExactly("1 null unreadable event: malformed JSON",
                "2 evt:alice:2 parked behind the stuck event of this partition");
        assertThat(stuckGauge().getId().getTag("offset")).isEqualTo("1");
        assertThat(stuckGauge().getId().getTag("event_id")).isEqualTo("unreadable");

        restart(); // the cause is not fixed: still stuck, and still saying so

        assertThat(balances()).containsExactly("alice credits 0 seq 1");
        assertThat(parked()).hasSize(2);
        assertThat(stuckGauge().getId().getTag("partition")).isEqualTo("0");
    }

    @Test
    void given_an_unknown_event_type_then_its_partition_is_stuck_on_it() throws SQLException {
        raw.pipeInput("alice", ("{\"eventId\":\"e-1\",\"type\":\"AccountVanished\",\"schemaVersion\":1,"
                + "\"aggregateId\":\"alice\",\"seq\":1,\"data\":{}}").getBytes(StandardCharsets.UTF_8));

        assertThat(parked()).containsExactly("0 e-1 unreadable event: unknown event type 'AccountVanished'");
        assertThat(stuckGauge().getId().getTag("event_id")).isEqualTo("e-1");
        assertThat(db.count("SELECT count(*) FROM accounts")).isZero();
    }

    @Test
    void given_a_nul_in_a_text_field_then_postgres_refuses_it_and_the_partition_is_stuck_naming_why()
            throws SQLException {
        SagaEvents log = new SagaEvents();
        EventEnvelope initiated = log.append(new TransferInitiated("t-1", "alice", "bob", 100, SagaEvents.EUR,
                "bad\u0000ref", Map.of()));

        LedgerProjectionTopologyTest.pipe(events, List.of(initiated));

        assertThat(parked()).singleElement().asString().startsWith("0 " + initiated.eventId() + " ")
                .contains("PostgreSQL refused").contains("0x00");
        assertThat(stuckGauge().getId().getTag("reason")).contains("PostgreSQL refused");
        assertThat(db.count("SELECT count(*) FROM transfers")).isZero();
    }

    @Test
    void given_postgres_refuses_a_row_then_after_the_fix_a_restart_replays_the_parked_events_exactly_once()
            throws SQLException {
        db.execute("ALTER TABLE accounts ADD CONSTRAINT test_refuses_big_credits CHECK (credits_posted < 1000)");
        SagaEvents log = new SagaEvents();
        List<EventEnvelope> history = List.of(log.append(SagaEvents.opened("alice")),
                log.append(new AccountCredited("alice", "t-1", 700, "bank")),
                log.append(new AccountCredited("alice", "t-2", 500, "bank")), // refused: 1200
                log.append(new AccountCredited("alice", "t-3", 10, "bank")));
        LedgerProjectionTopologyTest.pipe(events, history);

        assertThat(balances()).containsExactly("alice credits 700 seq 2");
        assertThat(parked()).hasSize(2).first().asString().startsWith("2 evt:alice:3 ")
                .contains("test_refuses_big_credits");

        restart(); // not fixed yet
        assertThat(balances()).containsExactly("alice credits 700 seq 2");
        assertThat(parked()).hasSize(2);

        db.execute("ALTER TABLE accounts DROP CONSTRAINT test_refuses_big_credits"); // the fix: a migration
        restart();

        assertThat(balances()).containsExactly("alice credits 1210 seq 4");
        assertThat(db.strings("SELECT transfer_id || ' ' || amount || ' -> ' || balance_after FROM entries "
                + "ORDER BY account_seq")).containsExactly("t-1 700 -> 700", "t-2 500 -> 1200", "t-3 10 -> 1210");
        assertThat(parked()).isEmpty();
        assertThat(registry.find(ProjectionMetrics.STUCK).gauge()).isNull();

        LedgerProjectionTopologyTest.pipe(events, history); // Kafka redelivers: nothing changes
        assertThat(balances()).containsExactly("alice credits 1210 seq 4");
        assertThat(db.count("SELECT count(*) FROM entries")).isEqualTo(3);
    }

    @Test
    void given_a_batch_with_one_refused_event_then_the_events_before_it_are_written_and_it_and_the_rest_parked()
            throws SQLException {
        db.execute("ALTER TABLE accounts ADD CONSTRAINT test_refuses_big_credits CHECK (credits_posted < 1000)");
        ProjectionMetrics metrics = new ProjectionMetrics(registry);
        ReadModelBuffer buffer = new ReadModelBuffer(new ReadModelFlusher(new ReadModelWriter(db.dataSource()),
                ProjectionSettings.DEFAULTS, metrics, Clock.systemUTC()), metrics, TOPIC, 100);
        buffer.init(new MockProcessorContext<>().getStateStoreContext(), buffer);
        SagaEvents log = new SagaEvents();
        List<EventEnvelope> batch = List.of(log.append(SagaEvents.opened("alice")),
                log.append(SagaEvents.opened("bob")),
                log.append(new AccountCredited("alice", "t-1", 700, "bank")),
                log.append(new AccountCredited("alice", "t-2", 500, "bank")), // refused
                log.append(new AccountCredited("bob", "t-3", 10, "bank")));
        SagaEvents.records(batch).forEach(buffer::add);

        buffer.flushCache();

        assertThat(balances()).containsExactly("alice credits 700 seq 2", "bob credits 0 seq 1");
        assertThat(parked()).extracting(row -> row.substring(0, row.indexOf(' ', 2)))
                .containsExactly("3 evt:alice:3", "4 evt:bob:2");
        assertThat(buffer.stuck().record().offset()).isEqualTo(3);
        assertThat(buffer.size()).isZero();
    }

    private List<String> balances() throws SQLException {
        return db.strings("SELECT account_id || ' credits ' || credits_posted || ' seq ' || seq FROM accounts "
                + "ORDER BY account_id");
    }

    private List<String> parked() throws SQLException {
        return db.strings("SELECT event_offset || ' ' || coalesce(event_id, 'null') || ' ' || reason "
                + "FROM projection_parked ORDER BY event_offset")
                .stream().map(row -> row.contains("malformed JSON") ? row.substring(0, row.indexOf("malformed JSON")
                        + "malformed JSON".length()) : row).toList();
    }

    private Gauge stuckGauge() {
        Gauge gauge = registry.find(ProjectionMetrics.STUCK).tag("topic", TOPIC).gauge();
        assertThat(gauge).as("the stuck gauge").isNotNull();
        return gauge;
    }
}
