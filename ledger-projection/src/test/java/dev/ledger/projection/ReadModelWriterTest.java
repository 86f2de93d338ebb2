package dev.ledger.projection;

import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.domain.account.AccountEvent.AccountOpened;
import dev.ledger.domain.account.AccountEvent.ReservationReleased;
import dev.ledger.domain.Reason;
import dev.ledger.kafka.EventEnvelope;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.ledger.projection.SagaEvents.EUR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sink's batch logic against a real PostgreSQL: one transaction per batch, idempotent, gap-proof. */
class ReadModelWriterTest {
    @TempDir
    static Path dataDir;
    static TestDatabase db;
    static ReadModelWriter writer;

    @BeforeAll
    static void startPostgres() {
        db = TestDatabase.start(dataDir.resolve("pg"));
        writer = new ReadModelWriter(db.dataSource());
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
    void given_a_saga_when_applied_as_one_batch_then_counters_entries_and_transfers_match() throws SQLException {
        SagaEvents saga = SagaEvents.saga();

        ReadModelWriter.Result result = writer.apply(saga.log());

        assertThat(result.applied()).isEqualTo(saga.log().size());
        assertThat(result.duplicates()).isZero();
        assertThat(result.entriesWritten()).isEqualTo(4);
        SagaAssertions.assertSagaProjected(db, saga);
    }

    @Test
    void given_any_batch_boundaries_then_the_read_model_is_the_same() throws SQLException {
        SagaEvents saga = SagaEvents.saga();
        writer.apply(saga.log());
        List<String> oneBatch = db.snapshot();
        db.truncate();

        for (EventEnvelope event : saga.log()) writer.apply(List.of(event));

        assertThat(db.snapshot()).isEqualTo(oneBatch);
    }

    @Test
    void given_a_redelivered_batch_then_nothing_changes_and_no_entry_is_duplicated() throws SQLException {
        SagaEvents saga = SagaEvents.saga();
        List<EventEnvelope> log = saga.log();
        writer.apply(log.subList(0, 12));
        writer.apply(log.subList(12, log.size()));
        List<String> before = db.snapshot();

        ReadModelWriter.Result again = writer.apply(log);
        // a redelivery that overlaps what was written and what was not: from offset 8 on, say
        ReadModelWriter.Result overlap = writer.apply(log.subList(8, log.size()));

        assertThat(again.applied()).isZero();
        assertThat(again.duplicates()).isEqualTo(log.size());
        assertThat(overlap.applied()).isZero();
        assertThat(db.snapshot()).isEqualTo(before);
        assertThat(db.count("SELECT count(*) FROM entries")).isEqualTo(4);
        SagaAssertions.assertSagaProjected(db, saga);
    }

    @Test
    void given_a_seq_gap_then_the_batch_halts_and_nothing_of_it_is_written() throws SQLException {
        SagaEvents events = new SagaEvents();
        events.append(SagaEvents.opened("alice"));
        writer.apply(events.log());
        SagaEvents next = new SagaEvents();
        EventEnvelope bobOpened = next.append(SagaEvents.opened("bob"));
        EventEnvelope aliceSeq3 = next.append(new AccountCredited("alice", "t-9", 500, "bob"), 3);

        assertThatThrownBy(() -> writer.apply(List.of(bobOpened, aliceSeq3)))
                .isInstanceOf(ProjectionHaltedException.class)
                .hasMessageContaining("gap in alice")
                .hasMessageContaining("projected up to seq 1");

        assertThat(db.strings("SELECT account_id || ' seq ' || seq FROM accounts ORDER BY account_id"))
                .containsExactly("alice seq 1");
    }

    @Test
    void given_a_first_event_that_is_not_an_opening_then_the_batch_halts() {
        SagaEvents events = new SagaEvents();
        events.append(new AccountCredited("ghost", "t-1", 100, "bank"));

        assertThatThrownBy(() -> writer.apply(events.log()))
                .isInstanceOf(ProjectionHaltedException.class)
                .hasMessageContaining("never opened");
    }

    @Test
    void given_a_counter_overflow_then_the_batch_halts() {
        SagaEvents events = new SagaEvents();
        events.append(new AccountOpened("whale", EUR, 0, true, Map.of()));
        events.append(new AccountCredited("whale", "t-1", Long.MAX_VALUE, "bank"));
        events.append(new AccountCredited("whale", "t-2", 1, "bank"));

        assertThatThrownBy(() -> writer.apply(events.log()))
                .isInstanceOf(ProjectionHaltedException.class)
                .hasMessageContaining("overflows")
                .hasCauseInstanceOf(ArithmeticException.class);
    }

    @Test
    void given_a_row_postgres_refuses_then_the_flush_halts_at_once_instead_of_retrying() throws SQLException {
        // releasing a hold that was never placed drives debits_pending below zero: the CHECK refuses it
        SagaEvents events = new SagaEvents();
        events.append(SagaEvents.opened("alice"));
        events.append(new ReservationReleased("alice", "t-1", 100, Reason.INSUFFICIENT_FUNDS));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ReadModelFlusher flusher = new ReadModelFlusher(writer, ProjectionSettings.DEFAULTS,
                new ProjectionMetrics(registry), Clock.systemUTC());

        assertThatThrownBy(() -> flusher.flush(events.log()))
                .isInstanceOf(ProjectionHaltedException.class)
                .hasMessageContaining("refused");

        assertThat(registry.get("ledger.projection.flush.retries").counter().count()).isZero();
        assertThat(db.count("SELECT count(*) FROM accounts")).isZero();
    }

    @Test
    void given_a_large_batch_then_it_is_written_in_one_transaction() throws SQLException {
        SagaEvents events = new SagaEvents();
        events.append(new AccountOpened("bank", EUR, 0, true, Map.of()));
        List<String> accounts = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            String id = "acc-" + i;
            accounts.add(id);
            events.append(SagaEvents.opened(id));
        }
        for (int i = 0; i < 500; i++) events.transfer("t-" + i, "bank", accounts.get(i), 100 + i);

        ReadModelWriter.Result result = writer.apply(events.log());

        assertThat(result.applied()).isEqualTo(events.log().size());
        assertThat(db.count("SELECT count(*) FROM entries")).isEqualTo(1_000);
        assertThat(db.count("SELECT count(*) FROM transfers WHERE status = 'COMPLETED'")).isEqualTo(500);
        assertThat(db.count("SELECT sum(credits_posted) - sum(debits_posted) FROM accounts")).isZero();
        assertThat(db.count("SELECT seq FROM accounts WHERE account_id = 'bank'")).isEqualTo(1 + 2 * 500);
    }

    @Test
    void given_the_migrations_then_they_apply_into_any_named_schema_once() throws SQLException {
        assertThat(ReadModelSchema.migrate(db.dataSource(), TestDatabase.SCHEMA)).isZero();
        assertThat(ReadModelSchema.migrate(db.dataSource(), "read_model_rebuild")).isPositive();

        assertThat(db.strings("""
                SELECT table_name FROM information_schema.tables
                WHERE table_schema = 'read_model_rebuild' AND table_name <> 'flyway_schema_history'
                ORDER BY table_name""")).containsExactly("accounts", "entries", "projection_parked", "transfers");
        assertThatThrownBy(() -> ReadModelSchema.migrate(db.dataSource(), "x; DROP TABLE accounts"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
