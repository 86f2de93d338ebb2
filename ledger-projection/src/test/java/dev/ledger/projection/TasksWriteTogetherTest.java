package dev.ledger.projection;

import dev.ledger.kafka.ThreadTasks;
import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.LedgerJson;
import dev.ledger.kafka.TopicNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.streams.processor.TaskId;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The buffers of four tasks on one thread, as Kafka Streams flushes them before a commit, one after the
 * other, over a real PostgreSQL: the first flush writes them all in one transaction. (A real broker with
 * several partitions runs this in ledger-launcher's ProjectionThreadWritesTogetherTest.)
 */
class TasksWriteTogetherTest {
    private static final String TOPIC = TopicNames.DEFAULT.events();
    private static final int TASKS = 4;

    @TempDir
    static Path dir;
    static TestDatabase db;

    SimpleMeterRegistry registry;
    List<ReadModelBuffer> buffers;
    long[] offsets;

    @BeforeAll
    static void startPostgres() {
        db = TestDatabase.start(dir.resolve("pg"));
    }

    @AfterAll
    static void stopPostgres() {
        if (db != null) db.close();
    }

    @BeforeEach
    void startTasks() throws SQLException {
        db.truncate();
        registry = new SimpleMeterRegistry();
        ProjectionMetrics metrics = new ProjectionMetrics(registry);
        ReadModelFlusher flusher = new ReadModelFlusher(new ReadModelWriter(db.dataSource()),
                ProjectionSettings.DEFAULTS, metrics, Clock.systemUTC());
        ThreadTasks<ReadModelBuffer> thread = new ThreadTasks<>();
        buffers = new ArrayList<>();
        offsets = new long[TASKS];
        for (int p = 0; p < TASKS; p++) {
            ReadModelBuffer buffer = new ReadModelBuffer(flusher, metrics, TOPIC, 100, thread);
            buffer.init(new MockProcessorContext<>(new Properties(), new TaskId(0, p), dir.toFile())
                    .getStateStoreContext(), buffer);
            buffers.add(buffer);
        }
    }

    @AfterEach
    void closeTasks() {
        buffers.forEach(ReadModelBuffer::close);
    }

    /** Kafka Streams' pre-commit: every task's flush, in turn. */
    private void commit() {
        buffers.forEach(ReadModelBuffer::flushCache);
    }

    @Test
    void given_events_on_every_partition_then_the_first_flush_writes_them_all_in_one_transaction_each_once()
            throws SQLException {
        SagaEvents log = new SagaEvents();
        List<EventEnvelope> written = new ArrayList<>();
        for (int p = 0; p < TASKS; p++) {
            written.add(add(p, log.append(SagaEvents.opened("acct-" + p))));
            written.add(add(p, log.append(new AccountCredited("acct-" + p, "t-" + p, 100 + p, "bank"))));
        }

        buffers.getFirst().flushCache();

        assertThat(buffers).allSatisfy(buffer -> assertThat(buffer.size()).isZero());
        assertThat(balances()).containsExactly("acct-0 credits 100 seq 2", "acct-1 credits 101 seq 2",
                "acct-2 credits 102 seq 2", "acct-3 credits 103 seq 2");
        assertThat(transactions()).as("transactions that wrote the rows").isEqualTo(1);
        commit(); // the other tasks' flushes find nothing left
        assertThat(registry.get("ledger.projection.flush").timer().count()).isEqualTo(1);
        assertThat(registry.get("ledger.projection.events").tag("outcome", "applied").counter().count())
                .isEqualTo(written.size());
        List<String> once = db.snapshot();

        for (EventEnvelope e : written) add(partitionOf(e), e); // Kafka redelivers all of them
        commit();

        assertThat(db.snapshot()).isEqualTo(once);
        assertThat(db.count("SELECT count(*) FROM entries")).isEqualTo(TASKS);
        assertThat(registry.get("ledger.projection.events").tag("outcome", "duplicate").counter().count())
                .isEqualTo(written.size());
    }

    @Test
    void given_an_event_that_cannot_be_applied_then_only_its_partition_is_stuck_and_the_others_are_written()
            throws SQLException {
        SagaEvents log = new SagaEvents();
        for (int p = 0; p < TASKS; p++) add(p, log.append(SagaEvents.opened("acct-" + p)));
        commit();
        for (int p = 0; p < TASKS; p++) add(p, log.append(new AccountCredited("acct-" + p, "t-" + p, 100, "bank")));
        EventEnvelope gap = add(2, log.append(new AccountCredited("acct-2", "t-gap", 5, "bank"), 9));
        add(2, log.append(new AccountCredited("acct-2", "t-after", 7, "bank"), 10));

        commit();

        assertThat(balances()).containsExactly("acct-0 credits 100 seq 2", "acct-1 credits 100 seq 2",
                "acct-2 credits 100 seq 2", "acct-3 credits 100 seq 2");
        assertThat(db.strings("SELECT event_partition || '@' || event_offset || ' ' || event_id FROM projection_parked "
                + "ORDER BY event_offset")).containsExactly("2@2 " + gap.eventId(), "2@3 evt:acct-2:10");
        assertThat(buffers).extracting(buffer -> buffer.stuck() == null ? "projects" : "stuck")
                .containsExactly("projects", "projects", "stuck", "projects");
        assertThat(registry.find(ProjectionMetrics.STUCK).gauges()).singleElement()
                .satisfies(gauge -> assertThat(gauge.getId().getTag("partition")).isEqualTo("2"));

        // the stuck task parks on its own path; the others still write together
        for (int p = 0; p < TASKS; p++) add(p, log.append(new AccountCredited("acct-" + p, "t2-" + p, 1, "bank")));
        long flushesBefore = registry.get("ledger.projection.flush").timer().count();
        commit();

        assertThat(balances()).containsExactly("acct-0 credits 101 seq 3", "acct-1 credits 101 seq 3",
                "acct-2 credits 100 seq 2", "acct-3 credits 101 seq 3");
        assertThat(db.count("SELECT count(*) FROM projection_parked WHERE event_partition = 2")).isEqualTo(3);
        assertThat(db.count("SELECT count(*) FROM projection_parked WHERE event_partition <> 2")).isZero();
        assertThat(registry.get("ledger.projection.flush").timer().count() - flushesBefore)
                .as("one transaction for the three tasks that project").isEqualTo(1);
    }

    /** The event as task {@code partition} reads it, at that partition's next offset. */
    private EventEnvelope add(int partition, EventEnvelope event) {
        buffers.get(partition).add(EventRecord.read(TOPIC, partition, offsets[partition]++, 0,
                event.aggregateId().getBytes(StandardCharsets.UTF_8), LedgerJson.writeEvent(event)));
        return event;
    }

    private static int partitionOf(EventEnvelope event) {
        return Integer.parseInt(event.aggregateId().substring("acct-".length()));
    }

    private List<String> balances() throws SQLException {
        return db.strings("SELECT account_id || ' credits ' || credits_posted || ' seq ' || seq FROM accounts "
                + "ORDER BY account_id");
    }

    /** PostgreSQL transactions whose rows the read model holds: rows one transaction wrote share its xmin. */
    private long transactions() throws SQLException {
        return db.count("SELECT count(DISTINCT x) FROM (SELECT xmin::text AS x FROM accounts "
                + "UNION ALL SELECT xmin::text FROM entries) rows");
    }
}
