package dev.ledger.projection;

import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.domain.account.AccountEvent.AccountOpened;
import dev.ledger.domain.account.AccountEvent.ReservationReleased;
import dev.ledger.domain.Reason;
import dev.ledger.domain.transfer.TransferEvent.TransferInitiated;
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
import java.time.Instant;
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
    void given_an_account_event_of_an_account_never_opened_then_the_batch_halts_and_writes_nothing()
            throws SQLException {
        // No foreign key ties an entry to its account (V6 dropped it): the fold is what keeps a statement
        // line from existing without its account, for the whole batch, the valid events in it included.
        SagaEvents events = new SagaEvents();
        events.append(SagaEvents.opened("alice"));
        events.append(new AccountCredited("alice", "t-1", 100, "bank"));
        events.append(new AccountCredited("ghost", "t-2", 100, "bank"));

        assertThatThrownBy(() -> writer.apply(events.log()))
                .isInstanceOf(ProjectionHaltedException.class)
                .hasMessageContaining("ghost")
                .hasMessageContaining("never opened");

        assertThat(db.snapshot()).isEmpty();
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
    void given_an_account_row_that_moves_under_the_flush_then_the_batch_is_retried_and_none_of_it_written()
            throws SQLException {
        SagaEvents saga = SagaEvents.saga();
        List<EventEnvelope> log = saga.log();
        writer.apply(log.subList(0, 5)); // the accounts are open: the rest of the saga updates their rows
        List<String> before = db.snapshot();
        // Something other than this flush moves alice's row between the flush's locked load and its update
        // (what the FOR UPDATE load rules out unless someone bypasses the lock): her update matches no row.
        rowsMoveUnderneath("accounts", "account_id = 'alice'");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ReadModelFlusher flusher = new ReadModelFlusher(writer, ProjectionSettings.DEFAULTS.withRetry(10, 20, 300),
                new ProjectionMetrics(registry), Clock.systemUTC());
        try {
            assertThatThrownBy(() -> writer.apply(log.subList(5, log.size())))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("1 of 3 account rows changed under the flush")
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo(ReadModelWriter.SERIALIZATION_FAILURE);
            assertThatThrownBy(() -> flusher.flush(log.subList(5, log.size())))
                    .isInstanceOf(ReadModelUnavailableException.class);

            assertThat(registry.get("ledger.projection.flush.retries").counter().count()).isPositive();
            assertThat(db.snapshot()).isEqualTo(before); // not a row of the refused batch: no entry, no transfer
        } finally {
            db.execute("DROP TRIGGER moves_underneath ON accounts");
        }

        flusher.flush(log.subList(5, log.size()));
        SagaAssertions.assertSagaProjected(db, saga);
    }

    @Test
    void given_a_transfer_row_that_moves_under_the_flush_then_the_batch_is_refused_as_a_conflict() throws SQLException {
        SagaEvents saga = SagaEvents.saga();
        List<EventEnvelope> log = saga.log();
        writer.apply(log.subList(0, 9)); // t-1 initiated, reserved, credited, captured: its completion is next
        List<String> before = db.snapshot();
        rowsMoveUnderneath("transfers", "transfer_id = 't-1'");
        try {
            assertThatThrownBy(() -> writer.apply(log.subList(9, log.size())))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("1 of 1 transfer rows changed under the flush")
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo(ReadModelWriter.SERIALIZATION_FAILURE);
            assertThat(db.snapshot()).isEqualTo(before);
        } finally {
            db.execute("DROP TRIGGER moves_underneath ON transfers");
        }

        writer.apply(log.subList(9, log.size()));
        SagaAssertions.assertSagaProjected(db, saga);
    }

    /** A row trigger that drops the update of the matching rows: to the flush, as if they had moved on. */
    private static void rowsMoveUnderneath(String table, String condition) throws SQLException {
        db.execute("""
                CREATE OR REPLACE FUNCTION moved_underneath() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RETURN NULL; END $$""");
        db.execute("CREATE TRIGGER moves_underneath BEFORE UPDATE ON " + table + " FOR EACH ROW WHEN (OLD."
                + condition + ") EXECUTE FUNCTION moved_underneath()");
    }

    @Test
    void given_text_and_instants_at_the_edges_then_every_row_holds_them_exactly() throws SQLException {
        // what array literals could mangle: quotes, backslashes, braces, commas, the word NULL, an empty string
        String awkward = "a \"quoted\" \\ {braced}, NULL é e\u0301 \uD83D\uDC4D\u200D";
        SagaEvents events = new SagaEvents().at(Instant.parse("+12345-06-01T10:00:00.123456Z"));
        events.append(new AccountOpened("bank", EUR, 0, true, Map.of("NULL", awkward, "{", "}")));
        events.append(new AccountOpened("alice", EUR, 0, false, Map.of()));
        events.at(Instant.parse("-0044-03-15T12:00:00Z"));
        events.append(new TransferInitiated("t-1", "bank", "alice", 100, EUR, awkward, Map.of("k", "NULL")));
        events.append(new TransferInitiated("t-2", "bank", "alice", 100, EUR, null, Map.of()));
        events.append(new TransferInitiated("t-3", "bank", "alice", 100, EUR, "NULL", Map.of()));

        writer.apply(events.log());

        assertThat(db.strings("SELECT metadata ->> 'NULL' FROM accounts WHERE account_id = 'bank'"))
                .containsExactly(awkward);
        assertThat(db.strings("SELECT metadata ->> '{' FROM accounts WHERE account_id = 'bank'")).containsExactly("}");
        assertThat(db.strings("SELECT coalesce(reference, '(none)') || '|' || (metadata::text) FROM transfers"
                + " ORDER BY transfer_id")).containsExactly(awkward + "|{\"k\": \"NULL\"}", "(none)|{}", "NULL|{}");
        assertThat(db.strings("SELECT to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US BC')"
                + " FROM accounts ORDER BY account_id")).containsExactly(
                "12345-06-01 10:00:01.123456 AD", "12345-06-01 10:00:00.123456 AD");
        // ISO year -44 is 45 BC
        assertThat(db.strings("SELECT DISTINCT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI BC')"
                + " FROM transfers WHERE transfer_id = 't-1'")).containsExactly("0045-03-15 12:00 BC");
    }

    @Test
    void given_instants_at_the_end_of_postgres_range_then_the_last_microsecond_is_kept_and_one_past_it_halts()
            throws SQLException {
        SagaEvents events = new SagaEvents().at(Instant.parse("+294276-12-31T23:59:58.9999994Z"));
        events.append(new AccountOpened("bank", EUR, 0, true, Map.of())); // rounds down to .999999
        events.append(new AccountOpened("alice", EUR, 0, false, Map.of())); // 23:59:59.9999994: the last microsecond
        writer.apply(events.log());
        assertThat(db.strings("SELECT to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
                + " FROM accounts ORDER BY opened_at")).containsExactly(
                "294276-12-31 23:59:58.999999", "294276-12-31 23:59:59.999999");
        List<String> before = db.snapshot();

        // one second on: 294277, which PostgreSQL cannot hold, in the transfer's copied rows
        events.append(new TransferInitiated("t-1", "bank", "alice", 100, EUR, null, Map.of()));
        ReadModelFlusher flusher = new ReadModelFlusher(writer, ProjectionSettings.DEFAULTS,
                new ProjectionMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
        List<EventEnvelope> log = events.log();

        assertThatThrownBy(() -> flusher.flush(log.subList(2, log.size())))
                .isInstanceOf(ProjectionHaltedException.class)
                .hasRootCauseMessage("timestamp out of range: +294277-01-01T00:00:00.999999400Z");
        assertThat(db.snapshot()).isEqualTo(before);
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
