package dev.ledger.projection;

import org.flywaydb.core.Flyway;

import javax.sql.DataSource;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The read model's tables, owned by the Flyway migrations in {@code db/migration}. They use
 * unqualified names, so one set of migrations builds any schema: a rebuild replays the log into a fresh
 * schema and swaps it in.
 */
public final class ReadModelSchema {
    public static final String DEFAULT_SCHEMA = "read_model";
    /** The query side's role unless configured otherwise (LEDGER_DB_READ_USER). */
    public static final String DEFAULT_READ_ROLE = "ledger_reader";
    private static final Pattern IDENTIFIER = Pattern.compile("^[a-z_][a-z0-9_]{0,62}$");

    private ReadModelSchema() {
    }

    /** As {@link #migrate(DataSource, String, String)}, with the default query-side role. */
    public static int migrate(DataSource dataSource, String schema) {
        return migrate(dataSource, schema, DEFAULT_READ_ROLE);
    }

    /**
     * Creates the schema if needed and applies the pending migrations; returns how many ran.
     *
     * @param readRole the query side's role: granted SELECT on the schema's tables, and created when missing
     */
    public static int migrate(DataSource dataSource, String schema, String readRole) {
        return Flyway.configure()
                .dataSource(dataSource)
                .schemas(requireIdentifier(schema))
                .createSchemas(true)
                .locations("classpath:db/migration")
                .placeholders(Map.of("readRole", requireIdentifier(readRole)))
                .load()
                .migrate()
                .migrationsExecuted;
    }

    /** A schema or role name goes into connection settings and SQL: plain lower-case identifiers only. */
    static String requireIdentifier(String schema) {
        if (schema == null || !IDENTIFIER.matcher(schema).matches()) {
            throw new IllegalArgumentException("not a plain lower-case identifier: " + schema);
        }
        return schema;
    }
}
