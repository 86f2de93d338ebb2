package dev.ledger.projection;

import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/** What the read model must hold after {@link SagaEvents#saga()}: the rows a person would expect. */
final class SagaAssertions {
    private SagaAssertions() {
    }

    static void assertSagaProjected(TestDatabase db, SagaEvents saga) throws SQLException {
        // account: status, debits_pending, debits_posted, credits_pending, credits_posted, seq
        assertThat(db.strings("""
                SELECT account_id || ' ' || status || ' ' || debits_pending || ' ' || debits_posted || ' '
                    || credits_pending || ' ' || credits_posted || ' seq ' || seq || ' ' || currency
                    || ' unlimited=' || unlimited_overdraft || ' ' || metadata::text
                FROM accounts ORDER BY account_id""")).containsExactly(
                "alice OPEN 0 2500 0 10000 seq 6 EUR unlimited=false {\"customer\": \"c-alice\"}",
                "bank OPEN 0 10000 0 0 seq 3 EUR unlimited=true {}",
                "bob OPEN 0 0 0 2500 seq 2 EUR unlimited=false {\"customer\": \"c-bob\"}",
                "carol CLOSED 0 0 0 0 seq 2 EUR unlimited=false {\"customer\": \"c-carol\"}");
        assertThat(db.count("SELECT count(*) FROM accounts WHERE updated_at = opened_at AND seq > 1")).isZero();
        assertThat(db.strings("SELECT updated_at::text FROM accounts WHERE account_id = 'alice'"))
                .containsExactly(ts(saga, "alice", 6));

        // the statement: signed amounts, the balance after each line
        assertThat(db.strings("""
                SELECT account_id || ' #' || account_seq || ' ' || transfer_id || ' ' || amount || ' -> ' || balance_after
                    || ' ' || entry_id
                FROM entries ORDER BY account_id, account_seq""")).containsExactly(
                "alice #2 t-1 10000 -> 10000 evt:alice:2",
                "alice #4 t-2 -2500 -> 7500 evt:alice:4",
                "bank #3 t-1 -10000 -> -10000 evt:bank:3",
                "bob #2 t-2 2500 -> 2500 evt:bob:2");
        assertThat(db.strings("SELECT occurred_at::text FROM entries WHERE entry_id = 'evt:bob:2'"))
                .containsExactly(ts(saga, "bob", 2));

        assertThat(db.strings("""
                SELECT transfer_id || ' ' || status || ' ' || coalesce(reason, '-') || ' seq ' || seq || ' '
                    || debit_account_id || '->' || credit_account_id || ' ' || amount || ' ' || coalesce(reference, '-')
                FROM transfers ORDER BY transfer_id""")).containsExactly(
                "t-1 COMPLETED - seq 2 bank->alice 10000 ref t-1",
                "t-2 COMPLETED - seq 2 alice->bob 2500 ref t-2",
                "t-3 REJECTED ACCOUNT_CLOSED seq 2 alice->carol 1000 gift");
        assertThat(db.strings("SELECT completed_at::text || ' ' || created_at::text FROM transfers WHERE transfer_id = 't-3'"))
                .containsExactly(ts(saga, "t-3", 2) + " " + ts(saga, "t-3", 1));

        // the ledger's invariant with nothing in flight: posted balances sum to zero
        assertThat(db.count("SELECT sum(credits_posted) - sum(debits_posted) FROM accounts")).isZero();
        assertThat(db.count("SELECT sum(amount) FROM entries")).isZero();
    }

    /** How PostgreSQL prints a timestamptz in the test server's (UTC) time zone. */
    private static String ts(SagaEvents saga, String aggregateId, long seq) {
        return saga.occurredAt(aggregateId, seq).toString().replace("T", " ").replace("Z", "+00");
    }
}
