package dev.ledger.projection;

import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.domain.account.AccountEvent.AccountOpened;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.LedgerJson;
import dev.ledger.kafka.LedgerSerdes;
import dev.ledger.kafka.TopicNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
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
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The whole topology on {@link TopologyTestDriver} with a real PostgreSQL behind it. The driver runs
 * the real {@code StreamTask} commit cycle after every piped record: {@code prepareCommit()} (which calls
 * the buffer's {@code flushCache()}), then the offset commit, then {@code postCommit()}. So each record
 * is written before "its" offset is committed, exactly as in production, only with batches of one.
 */
class LedgerProjectionTopologyTest {
    @TempDir
    static Path dir;
    static TestDatabase db;

    SimpleMeterRegistry registry;
    TopologyTestDriver driver;
    TestInputTopic<String, EventEnvelope> events;

    @BeforeAll
    static void startPostgres() {
        db = TestDatabase.start(dir.resolve("pg"));
    }

    @AfterAll
    static void stopPostgres() {
        if (db != null) db.close();
    }

    @BeforeEach
    void startDriver() throws SQLException {
        db.truncate();
        registry = new SimpleMeterRegistry();
        driver = driver(db, registry, ProjectionSettings.DEFAULTS, dir.resolve("state"));
        events = driver.createInputTopic(TopicNames.DEFAULT.events(), new StringSerializer(),
                LedgerSerdes.events().serializer());
    }

    @AfterEach
    void closeDriver() {
        try {
            driver.close();
        } catch (RuntimeException afterAFailedTask) {
            // a test that failed the task on purpose leaves the driver unable to close cleanly
        }
    }

    static TopologyTestDriver driver(TestDatabase db, SimpleMeterRegistry registry, ProjectionSettings settings,
                                     Path stateDir) {
        LedgerConfig config = new LedgerConfig("unused:9092", "jdbc:unused", "u", "p", 0, 1, new byte[16],
                stateDir, TopicNames.DEFAULT, LedgerConfig.DEFAULT_COMMIT_INTERVAL_MS, "test");
        Properties props = LedgerProjection.streamsProperties(config, settings);
        return new TopologyTestDriver(
                LedgerProjection.topology(TopicNames.DEFAULT, db.dataSource(), registry, settings), props);
    }

    static void pipe(TestInputTopic<String, EventEnvelope> topic, List<EventEnvelope> log) {
        for (EventEnvelope e : log) topic.pipeInput(e.aggregateId(), e, e.occurredAt());
    }

    @Test
    void given_a_saga_on_the_event_topic_then_the_read_model_shows_it() throws SQLException {
        SagaEvents saga = SagaEvents.saga();

        pipe(events, saga.log());

        SagaAssertions.assertSagaProjected(db, saga);
        assertThat(registry.get("ledger.projection.events").tag("outcome", "applied").counter().count())
                .isEqualTo(saga.log().size());
        assertThat(registry.get("ledger.projection.flush").timer().count()).isEqualTo(saga.log().size());
        assertThat(registry.get("ledger.projection.lag").timer().count()).isPositive();
    }

    @Test
    void given_a_transfer_settled_whole_then_its_debit_is_a_posted_statement_line_like_a_capture() throws SQLException {
        SagaEvents log = new SagaEvents();
        log.append(new AccountOpened("bank", SagaEvents.EUR, 0, true, Map.of()));
        log.append(SagaEvents.opened("alice"));
        log.settled("t-1", "bank", "alice", 10_000);
        log.settled("t-2", "alice", "bank", 2_500);

        pipe(events, log.log());

        assertThat(db.strings("""
                SELECT account_id || ' ' || debits_pending || ' ' || debits_posted || ' ' || credits_pending || ' '
                    || credits_posted || ' seq ' || seq FROM accounts ORDER BY account_id""")).containsExactly(
                "alice 0 2500 0 10000 seq 3", "bank 0 10000 0 2500 seq 3");
        assertThat(db.strings("""
                SELECT account_id || ' #' || account_seq || ' ' || transfer_id || ' ' || amount || ' -> ' || balance_after
                FROM entries ORDER BY account_id, account_seq""")).containsExactly(
                "alice #2 t-1 10000 -> 10000", "alice #3 t-2 -2500 -> 7500",
                "bank #2 t-1 -10000 -> -10000", "bank #3 t-2 2500 -> -7500");
        assertThat(db.strings("SELECT transfer_id || ' ' || status || ' seq ' || seq FROM transfers ORDER BY transfer_id"))
                .containsExactly("t-1 COMPLETED seq 2", "t-2 COMPLETED seq 2");
        assertThat(db.count("SELECT sum(amount) FROM entries")).isZero();
    }

    @Test
    void given_the_same_events_delivered_twice_then_the_rows_do_not_change() throws SQLException {
        SagaEvents saga = SagaEvents.saga();
        pipe(events, saga.log());
        List<String> once = db.snapshot();

        pipe(events, saga.log());

        assertThat(db.snapshot()).isEqualTo(once);
        assertThat(db.count("SELECT count(*) FROM entries")).isEqualTo(4);
        assertThat(registry.get("ledger.projection.events").tag("outcome", "duplicate").counter().count())
                .isEqualTo(saga.log().size());
    }

    @Test
    void given_a_seq_gap_then_the_partition_is_stuck_at_that_event_instead_of_skipping_it() throws SQLException {
        SagaEvents log = new SagaEvents();
        pipe(events, List.of(log.append(SagaEvents.opened("alice"))));
        EventEnvelope seq3 = log.append(new AccountCredited("alice", "t-1", 500, "bank"), 3);

        pipe(events, List.of(seq3));

        assertThat(db.strings("SELECT account_id || ' seq ' || seq FROM accounts")).containsExactly("alice seq 1");
        assertThat(db.strings("SELECT event_offset || ' ' || event_id || ' ' || reason FROM projection_parked"))
                .singleElement().asString().startsWith("1 " + seq3.eventId() + " ").contains("gap in alice");
    }

    @Test
    void given_a_full_buffer_then_the_processor_writes_it_at_once_and_asks_for_a_commit() throws SQLException {
        MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
        ReadModelBuffer buffer = buffer();
        buffer.init(context.getStateStoreContext(), buffer);
        context.addStateStore(buffer);
        ProjectionProcessor processor = new ProjectionProcessor(2);
        processor.init(context);
        List<EventEnvelope> log = SagaEvents.saga().log();

        context.setRecordMetadata(TopicNames.DEFAULT.events(), 0, 0);
        processor.process(rawRecord(log.get(0)));
        assertThat(context.committed()).isFalse();
        assertThat(db.count("SELECT count(*) FROM accounts")).isZero();
        context.setRecordMetadata(TopicNames.DEFAULT.events(), 0, 1);
        processor.process(rawRecord(log.get(1)));

        assertThat(context.committed()).isTrue();
        assertThat(buffer.size()).isZero();
        assertThat(db.count("SELECT count(*) FROM accounts")).isEqualTo(2);
    }

    @Test
    void given_offsets_committed_while_events_are_still_buffered_then_the_tripwire_writes_them_and_halts()
            throws SQLException {
        ReadModelBuffer buffer = buffer();
        SagaEvents saga = SagaEvents.saga();
        SagaEvents.records(saga.log()).forEach(buffer::add);

        // what a Kafka Streams version that skipped flushCache() before committing would do next
        assertThatThrownBy(() -> buffer.commit(Map.of()))
                .isInstanceOf(ProjectionHaltedException.class)
                .hasMessageContaining("loss window");

        SagaAssertions.assertSagaProjected(db, saga);
    }

    private ReadModelBuffer buffer() {
        ProjectionMetrics metrics = new ProjectionMetrics(registry);
        return new ReadModelBuffer(new ReadModelFlusher(new ReadModelWriter(db.dataSource()),
                ProjectionSettings.DEFAULTS, metrics, Clock.systemUTC()), metrics, TopicNames.DEFAULT.events(), 100);
    }

    private static Record<byte[], byte[]> rawRecord(EventEnvelope e) {
        return new Record<>(e.aggregateId().getBytes(StandardCharsets.UTF_8), LedgerJson.writeEvent(e), 0L);
    }
}
