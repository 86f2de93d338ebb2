package dev.ledger.launcher;

import dev.ledger.audit.LedgerReplay;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.account.Balances;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.LedgerConfig;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** The ledger-wide checks every load test ends with: what a payments engineer would verify. */
final class LedgerChecks {
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(90);

    private LedgerChecks() {
    }

    /** Waits until every transfer in the log is final, and returns the replay of the whole log. */
    static LedgerReplay settledReplay(Supplier<List<EventEnvelope>> events) {
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        while (true) {
            LedgerReplay replay = replay(events.get());
            long inFlight = replay.transfers().values().stream().filter(t -> t instanceof TransferState.InFlight).count();
            if (inFlight == 0) return replay;
            if (System.nanoTime() > deadline) fail(inFlight + " transfers still in flight after " + SETTLE_TIMEOUT);
            sleep(500);
        }
    }

    static LedgerReplay replay(List<EventEnvelope> events) {
        var replay = new LedgerReplay();
        events.forEach(replay::apply);
        return replay;
    }

    static void verify(TransferWorkload workload, List<EventEnvelope> events, LedgerReplay replay, List<Instant> cuts,
                       LedgerConfig config) {
        assertThat(workload.surprises).as("answers a client would not expect").isEmpty();

        // every answered outcome is the ledger's outcome; nothing accepted was lost
        Map<String, Long> expected = new HashMap<>();
        workload.answers.forEach((id, answer) -> {
            TransferState state = replay.transfers().get(id);
            if (answer.status() == 201) assertThat(state).as(id).isInstanceOf(TransferState.Completed.class);
            if (answer.status() == 422) assertThat(state).as(id).isInstanceOf(TransferState.Rejected.class);
            if (answer.status() == 202) assertThat(state).as(id + " accepted as pending").isNotNull();
            if (state instanceof TransferState.Completed) {
                String[] p = workload.parties.get(id);
                long amount = workload.amounts.get(id);
                expected.merge(p[0], -amount, Math::addExact);
                expected.merge(p[1], amount, Math::addExact);
            }
        });

        // each balance equals the sum of its completed transfers, computed here
        replay.accounts().forEach((id, state) -> {
            Balances b = LedgerReplay.balancesOf(state);
            assertThat(b.balance()).as("balance of " + id).isEqualTo(expected.getOrDefault(id, 0L));
            assertThat(b.debitsPending()).as("nothing held on " + id).isZero();
            if (state instanceof AccountState.Open o && !o.profile().unlimitedOverdraft()) {
                assertThat(b.balance()).as(id + " within its overdraft").isGreaterThanOrEqualTo(-o.profile().overdraftLimit());
            }
        });

        // the invariant: nothing in flight, so posted balances sum to exactly zero per currency
        assertThat(replay.creditedNotCaptured()).isEmpty();
        replay.postedNet().forEach((currency, net) -> assertThat(net).as("net of " + currency).isZero());

        // the log holds each event once
        var ids = new HashSet<String>();
        events.forEach(e -> assertThat(ids.add(e.eventId())).as("duplicate event " + e.eventId()).isTrue());

        // the in-flight form held at every cut taken during the load
        for (Instant cut : cuts) {
            LedgerReplay atCut = replay(events.stream().filter(e -> !e.occurredAt().isAfter(cut)).toList());
            assertThat(atCut.invariantHolds()).as("invariant as of " + cut + ": net " + atCut.postedNet()
                    + " in flight " + atCut.creditedNotCaptured()).isTrue();
        }

        assertReadModelEqualsReplay(config, replay);
    }

    /** The PostgreSQL read model catches up to exactly the replayed state. */
    static void assertReadModelEqualsReplay(LedgerConfig config, LedgerReplay replay) {
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        Map<String, String> expected = new HashMap<>();
        replay.accounts().forEach((id, state) -> {
            Balances b = LedgerReplay.balancesOf(state);
            expected.put(id, state.version() + "/" + b.debitsPending() + "/" + b.debitsPosted() + "/"
                    + b.creditsPending() + "/" + b.creditsPosted());
        });
        Map<String, String> actual = Map.of();
        while (System.nanoTime() < deadline) {
            actual = readModel(config);
            if (actual.equals(expected)) break;
            sleep(250);
        }
        assertThat(actual).as("read model rows: seq/debitsPending/debitsPosted/creditsPending/creditsPosted")
                .isEqualTo(expected);
    }

    private static Map<String, String> readModel(LedgerConfig config) {
        var rows = new HashMap<String, String>();
        try (var c = DriverManager.getConnection(config.jdbcUrl(), config.dbUser(), config.dbPassword());
             var s = c.createStatement();
             var r = s.executeQuery("SELECT account_id, seq, debits_pending, debits_posted, credits_pending, "
                     + "credits_posted FROM read_model.accounts")) {
            while (r.next()) {
                rows.put(r.getString(1), r.getLong(2) + "/" + r.getLong(3) + "/" + r.getLong(4) + "/"
                        + r.getLong(5) + "/" + r.getLong(6));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
