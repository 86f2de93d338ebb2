package dev.ledger.projection;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/** The connection pools onto one read model schema: the projection's (writes) and the API's (reads only). */
public final class ReadModelDataSource {
    /** How long a caller waits for a pooled connection: one flush attempt, or one query, fails after it. */
    public static final long CONNECTION_TIMEOUT_MS = 5_000;
    /**
     * How long one statement of the query side may run: then PostgreSQL cancels it (SQLSTATE 57014,
     * query_canceled) and the API answers 503. A server-side statement_timeout, not JDBC's setQueryTimeout,
     * which makes PgJDBC schedule and cancel a task on one shared java.util.Timer around every statement.
     */
    public static final long QUERY_TIMEOUT_MS = 5_000;

    private ReadModelDataSource() {
    }

    /**
     * The projection's pool: its role owns the read model's tables. Its statements have no time limit: a
     * flush, a migration or a rebuild's copy is as long as the work it holds, and a flush cancelled part way
     * would only be retried with the same work, and cancelled again.
     */
    public static HikariDataSource create(String jdbcUrl, String user, String password, String schema,
                                          int maxPoolSize) {
        return new HikariDataSource(config("read-model-", jdbcUrl, user, password, schema, maxPoolSize));
    }

    /**
     * The query side's pool: its role (LEDGER_DB_READ_USER) holds SELECT on the read model and nothing else, so
     * PostgreSQL itself refuses any write through it (db/migration grants it). Every statement through it
     * is cancelled by PostgreSQL after {@link #QUERY_TIMEOUT_MS}: a read holds a pooled connection and a read
     * executor thread, so one slow query must not hold them for long.
     */
    public static HikariDataSource createReadOnly(String jdbcUrl, String user, String password, String schema,
                                                  int maxPoolSize) {
        HikariConfig config = config("read-model-queries-", jdbcUrl, user, password, schema, maxPoolSize);
        // once per new connection, after the URL's own settings, so no "options" parameter in LEDGER_DB_URL
        // can drop it; the session keeps it for the connection's life in the pool
        config.setConnectionInitSql("SET statement_timeout = " + QUERY_TIMEOUT_MS);
        return new HikariDataSource(config);
    }

    private static HikariConfig config(String poolPrefix, String jdbcUrl, String user, String password, String schema,
                                       int maxPoolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(maxPoolSize);
        config.setPoolName(poolPrefix + ReadModelSchema.requireIdentifier(schema));
        // Unqualified table names resolve in this schema, so a rebuilt schema is swapped in by configuration.
        config.addDataSourceProperty("currentSchema", schema);
        // A JDBC batch of inserts (ParkedEvents') goes as multi-row INSERTs; the read model's rows go as arrays.
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        config.addDataSourceProperty("connectTimeout", "5"); // seconds: a down server fails fast
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        // Start even while PostgreSQL is down: the projection retries, the API answers 503.
        config.setInitializationFailTimeout(-1);
        return config;
    }
}
