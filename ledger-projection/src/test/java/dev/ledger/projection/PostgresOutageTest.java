package dev.ledger.projection;

import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.LedgerSerdes;
import dev.ledger.kafka.TopicNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PostgreSQL goes away: the flush waits it out within its budget, or gives up without losing anything. */
class PostgresOutageTest {
    @TempDir
    static Path dir;
    static TestDatabase db;

    @BeforeAll
    static void startPostgres() {
        db = TestDatabase.start(dir.resolve("pg"));
    }

    @AfterAll
    static void stopPostgres() {
        if (db != null) db.close();
    }

    @BeforeEach
    void emptyReadModel() throws SQLException {
        db.truncate();
    }

    @Test
    void given_postgres_restarts_during_a_flush_then_the_flush_retries_and_nothing_is_lost() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ProjectionSettings settings = ProjectionSettings.DEFAULTS.withRetry(100, 1_000, 60_000);
        try (TopologyTestDriver driver = LedgerProjectionTopologyTest.driver(db, registry, settings, dir.resolve("s1"))) {
            TestInputTopic<String, EventEnvelope> events = driver.createInputTopic(TopicNames.DEFAULT.events(),
                    new StringSerializer(), LedgerSerdes.events().serializer());
            SagaEvents log = new SagaEvents();
            LedgerProjectionTopologyTest.pipe(events, List.of(log.append(SagaEvents.opened("alice"))));

            db.stop();
            CompletableFuture<Void> restart = CompletableFuture.runAsync(() -> {
                sleepMs(2_000);
                db.restart();
            });
            // blocks in the pre-commit flush, retrying, until PostgreSQL is back
            LedgerProjectionTopologyTest.pipe(events, List.of(log.append(new AccountCredited("alice", "t-1", 700, "bank"))));
            restart.get(30, TimeUnit.SECONDS);

            assertThat(db.strings("SELECT account_id || ' ' || credits_posted || ' seq ' || seq FROM accounts"))
                    .containsExactly("alice 700 seq 2");
            assertThat(db.count("SELECT count(*) FROM entries")).isEqualTo(1);
            assertThat(registry.get("ledger.projection.flush.retries").counter().count()).isPositive();
        }
    }

    @Test
    void given_postgres_down_past_the_budget_then_the_flush_gives_up_keeps_its_events_and_writes_them_later()
            throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ProjectionSettings settings = ProjectionSettings.DEFAULTS.withRetry(100, 400, 1_500);
        ProjectionMetrics metrics = new ProjectionMetrics(registry);
        ReadModelBuffer buffer = new ReadModelBuffer(new ReadModelFlusher(new ReadModelWriter(db.dataSource()),
                settings, metrics, Clock.systemUTC()), metrics, TopicNames.DEFAULT.events(), 100);
        SagaEvents saga = SagaEvents.saga();
        SagaEvents.records(saga.log()).forEach(buffer::add);

        db.stop();
        try {
            long startNanos = System.nanoTime();
            assertThatThrownBy(buffer::flushCache)
                    .isInstanceOf(ReadModelUnavailableException.class)
                    .hasMessageContaining("within 1500 ms");
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            // the budget, plus at most one attempt (bounded by the pool's connection timeout, 1 s here)
            assertThat(elapsedMs).isLessThan(1_500 + 1_000 + 1_000);
            assertThat(buffer.size()).as("events stay buffered after a failed flush").isEqualTo(saga.log().size());
        } finally {
            db.restart();
        }

        buffer.flushCache();

        assertThat(buffer.size()).isZero();
        SagaAssertions.assertSagaProjected(db, saga);
    }

    @Test
    void given_nothing_listening_then_the_flush_backs_off_exponentially_until_its_budget_ends() throws IOException {
        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        nowhere.setUrl(TestDatabase.jdbcUrl(freePort()));
        nowhere.setUser("postgres");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ReadModelFlusher flusher = new ReadModelFlusher(new ReadModelWriter(nowhere),
                ProjectionSettings.DEFAULTS.withRetry(50, 400, 2_000), new ProjectionMetrics(registry),
                Clock.systemUTC());

        assertThatThrownBy(() -> flusher.flush(SagaEvents.saga().log()))
                .isInstanceOf(ReadModelUnavailableException.class);

        // 50, 100, 200, 400, 400, ... ms: about five to eight retries fit into 2 s, not hundreds
        assertThat(registry.get("ledger.projection.flush.retries").counter().count()).isBetween(3.0, 10.0);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
