package dev.ledger.launcher;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The query side on the real stack reads PostgreSQL as LEDGER_DB_READ_USER: the HTTP reads answer as
 * ever, they come through connections of that role, and PostgreSQL refuses that role every write.
 */
class QuerySideRoleEndToEndTest {
    /** SQLSTATE insufficient_privilege: "permission denied". */
    private static final String PERMISSION_DENIED = "42501";
    private static LedgerHarness ledger;

    @BeforeAll
    static void start() {
        ledger = LedgerHarness.start("queryrole");
    }

    @AfterAll
    static void stop() {
        ledger.close();
    }

    @Test
    void given_money_moved_then_reads_through_the_api_answer_and_come_through_the_read_role() throws SQLException {
        String bank = unique("bank-");
        String alice = unique("alice-");
        assertThat(ledger.post("/v1/accounts", unique("k"), "{\"accountId\":\"" + bank
                + "\",\"currency\":\"EUR\",\"unlimitedOverdraft\":true}").status()).isEqualTo(201);
        assertThat(ledger.post("/v1/accounts", unique("k"), "{\"accountId\":\"" + alice + "\",\"currency\":\"EUR\"}")
                .status()).isEqualTo(201);
        var transfer = ledger.post("/v1/transfers", unique("k"), "{\"transferId\":\"" + unique("t-")
                + "\",\"debitAccountId\":\"" + bank + "\",\"creditAccountId\":\"" + alice
                + "\",\"amount\":2500,\"currency\":\"EUR\"}");
        assertThat(transfer.status()).as(transfer.toString()).isEqualTo(201);

        var account = ledger.get("/v1/accounts/" + alice, "Ledger-Min-Position", transfer.header("Ledger-Position"));
        var entries = ledger.get("/v1/accounts/" + alice + "/entries", "Ledger-Min-Position", transfer.header("Ledger-Position"));

        assertThat(account.status()).as(account.toString()).isEqualTo(200);
        assertThat(account.json().path("balance").asLong()).isEqualTo(2500);
        assertThat(entries.status()).as(entries.toString()).isEqualTo(200);
        assertThat(ledger.get("/health/ready").status()).isEqualTo(200);
        try (Connection c = asWriter(); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE usename = '"
                     + ledger.config().dbReadUser() + "' AND datname = current_database()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).as("connections of the query side's role").isPositive();
        }
    }

    @Test
    void with_the_query_sides_credentials_every_write_to_the_read_model_is_refused_by_postgresql() throws SQLException {
        String mallory = unique("mallory-");
        try (Connection c = asReader(); Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + LedgerApplication.READ_MODEL_SCHEMA);
            for (String write : new String[]{
                    "INSERT INTO accounts (account_id, currency, status, overdraft_limit, unlimited_overdraft, metadata, "
                            + "credits_posted, seq, opened_at, updated_at) "
                            + "VALUES ('" + mallory + "', 'EUR', 'OPEN', 0, true, '{}', 1000000, 1, now(), now())",
                    "UPDATE accounts SET credits_posted = credits_posted + 1000000",
                    "DELETE FROM entries",
                    "DELETE FROM transfers"}) {
                assertThatThrownBy(() -> s.execute(write)).as(write).isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).isEqualTo(PERMISSION_DENIED));
            }
        }
        assertThat(ledger.get("/v1/accounts/" + mallory).status()).isEqualTo(404);
    }

    @Test
    void the_api_reads_with_the_read_role_and_nothing_else_once_that_role_may_not_read_an_account_neither_can_the_api()
            throws SQLException {
        String carol = unique("carol-");
        var opened = ledger.post("/v1/accounts", unique("k"), "{\"accountId\":\"" + carol + "\",\"currency\":\"EUR\"}");
        assertThat(opened.status()).as(opened.toString()).isEqualTo(201);
        assertThat(ledger.get("/v1/accounts/" + carol, "Ledger-Min-Position", opened.header("Ledger-Position")).status())
                .isEqualTo(200);
        String table = LedgerApplication.READ_MODEL_SCHEMA + ".accounts";
        try {
            writer("REVOKE SELECT ON " + table + " FROM " + ledger.config().dbReadUser());

            var refused = ledger.get("/v1/accounts/" + carol);

            assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
        } finally {
            writer("GRANT SELECT ON " + table + " TO " + ledger.config().dbReadUser());
        }
        assertThat(ledger.get("/v1/accounts/" + carol).status()).isEqualTo(200);
    }

    private static void writer(String sql) throws SQLException {
        try (Connection c = asWriter(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static Connection asReader() throws SQLException {
        return DriverManager.getConnection(ledger.config().jdbcUrl(), ledger.config().dbReadUser(),
                ledger.config().dbReadPassword());
    }

    private static Connection asWriter() throws SQLException {
        return DriverManager.getConnection(ledger.config().jdbcUrl(), ledger.config().dbUser(), ledger.config().dbPassword());
    }

    private static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }
}
