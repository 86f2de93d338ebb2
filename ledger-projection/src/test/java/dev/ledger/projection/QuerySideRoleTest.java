package dev.ledger.projection;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The query side's role, as the read model's migrations leave it on a real PostgreSQL: it reads every table
 * of the read model, also one a later migration adds, and PostgreSQL refuses it every write.
 */
class QuerySideRoleTest {
    /** SQLSTATE insufficient_privilege: "permission denied". */
    private static final String PERMISSION_DENIED = "42501";
    /** SQLSTATE query_canceled: the server cancelled the statement. */
    private static final String QUERY_CANCELED = "57014";

    @TempDir
    static Path dataDir;
    static TestDatabase db;
    static HikariDataSource queries;

    @BeforeAll
    static void start() throws SQLException {
        db = TestDatabase.start(dataDir.resolve("pg"));
        db.execute("""
                INSERT INTO accounts (account_id, currency, status, overdraft_limit, unlimited_overdraft, metadata,
                                      debits_pending, debits_posted, credits_pending, credits_posted, seq, opened_at, updated_at)
                VALUES ('alice', 'EUR', 'OPEN', 0, false, '{}', 0, 0, 0, 2500, 2, now(), now())""");
        queries = ReadModelDataSource.createReadOnly(TestDatabase.jdbcUrl(db.port()), ReadModelSchema.DEFAULT_READ_ROLE,
                "", TestDatabase.SCHEMA, 2);
    }

    @AfterAll
    static void stop() {
        if (queries != null) queries.close();
        if (db != null) db.close();
    }

    @Test
    void the_query_side_reads_the_read_model() throws SQLException {
        try (Connection c = queries.getConnection(); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT credits_posted FROM accounts WHERE account_id = 'alice'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(2500);
        }
    }

    @Test
    void every_write_of_the_query_side_is_refused_by_postgresql_and_changes_nothing() throws SQLException {
        for (String write : new String[]{
                "INSERT INTO accounts (account_id, currency, status, overdraft_limit, unlimited_overdraft, metadata, "
                        + "debits_pending, debits_posted, credits_pending, credits_posted, seq, opened_at, updated_at) "
                        + "VALUES ('mallory', 'EUR', 'OPEN', 0, true, '{}', 0, 0, 0, 0, 1, now(), now())",
                "UPDATE accounts SET credits_posted = 1000000 WHERE account_id = 'alice'",
                "DELETE FROM entries",
                "TRUNCATE transfers",
                "DELETE FROM projection_parked",
                "CREATE TABLE read_model.mine (x int)",
                "DROP TABLE accounts"}) {
            assertThatThrownBy(() -> execute(write)).as(write).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo(PERMISSION_DENIED));
        }
        assertThat(db.strings("SELECT account_id || '=' || credits_posted FROM accounts")).containsExactly("alice=2500");
    }

    @Test
    void a_table_a_later_migration_adds_is_readable_by_default_and_flyways_bookkeeping_is_not() throws SQLException {
        db.execute("CREATE TABLE later_table (id int PRIMARY KEY)"); // as the writer, as a later migration runs
        db.execute("INSERT INTO later_table VALUES (7)");

        try (Connection c = queries.getConnection(); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT id FROM later_table")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(7);
        }
        assertThatThrownBy(() -> execute("INSERT INTO later_table VALUES (8)")).isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getSQLState()).isEqualTo(PERMISSION_DENIED));
        assertThatThrownBy(() -> execute("SELECT * FROM flyway_schema_history")).isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getSQLState()).isEqualTo(PERMISSION_DENIED));
    }

    @Test
    void a_rebuilt_schema_is_readable_by_the_query_side_once_migrated_and_migrating_again_is_a_no_op() throws SQLException {
        assertThat(ReadModelSchema.migrate(db.dataSource(), "read_model_rebuild_q")).isPositive();
        assertThat(ReadModelSchema.migrate(db.dataSource(), TestDatabase.SCHEMA)).isZero();

        try (Connection c = queries.getConnection(); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM read_model_rebuild_q.accounts")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isZero();
        }
    }

    @Test
    void a_query_side_statement_past_the_query_timeout_is_cancelled_by_postgresql_and_the_connection_stays_usable()
            throws SQLException {
        double beyondTimeoutSeconds = ReadModelDataSource.QUERY_TIMEOUT_MS / 1000.0 + 2;
        try (Connection c = queries.getConnection()) {
            try (Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.execute("SELECT pg_sleep(" + beyondTimeoutSeconds + ")"))
                        .isInstanceOfSatisfying(SQLException.class, e -> {
                            assertThat(e.getSQLState()).isEqualTo(QUERY_CANCELED);
                            // the server's own reason: no client-side timer cancelled it
                            assertThat(e.getMessage()).contains("statement timeout");
                        });
            }
            try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void only_the_query_side_has_a_statement_timeout_the_writers_statements_run_as_long_as_their_work() throws SQLException {
        assertThat(show(queries, "statement_timeout")).isEqualTo(ReadModelDataSource.QUERY_TIMEOUT_MS / 1000 + "s");
        assertThat(show(db.dataSource(), "statement_timeout")).isEqualTo("0");
    }

    private static String show(DataSource pool, String setting) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement(); var rs = s.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = queries.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
