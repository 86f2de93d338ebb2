package dev.ledger.projection;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/** The connection pools onto one read model schema: the projection's (writes) and the API's (reads only). */
public final class ReadModelDataSource {
    /** How long a caller waits for a pooled connection: one flush attempt, or one query, fails after it. */
    public static final long CONNECTION_TIMEOUT_MS = 5_000;

    private ReadModelDataSource() {
    }

    /** The projection's pool: its role owns the read model's tables. */
    public static HikariDataSource create(String jdbcUrl, String user, String password, String schema,
                                          int maxPoolSize) {
        return create("read-model-", jdbcUrl, user, password, schema, maxPoolSize);
    }

    /**
     * The query side's pool: its role (LEDGER_DB_READ_USER) holds SELECT on the read model and nothing else, so
     * PostgreSQL itself refuses any write through it (db/migration grants it).
     */
    public static HikariDataSource createReadOnly(String jdbcUrl, String user, String password, String schema,
                                                  int maxPoolSize) {
        return create("read-model-queries-", jdbcUrl, user, password, schema, maxPoolSize);
    }

    private static HikariDataSource create(String poolPrefix, String jdbcUrl, String user, String password, String schema,
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
        return new HikariDataSource(config);
    }
}
