package dev.ledger.projection;

import org.flywaydb.core.Flyway;

import javax.sql.DataSource;
import java.util.regex.Pattern;

/**
 * The read model's tables, owned by the Flyway migrations in {@code db/migration}. They use
 * unqualified names, so one set of migrations builds any schema: a rebuild replays the log into a fresh
 * schema and swaps it in.
 */
public final class ReadModelSchema {
    public static final String DEFAULT_SCHEMA = "read_model";
    private static final Pattern IDENTIFIER = Pattern.compile("^[a-z_][a-z0-9_]{0,62}$");

    private ReadModelSchema() {
    }

    /** Creates the schema if needed and applies the pending migrations; returns how many ran. */
    public static int migrate(DataSource dataSource, String schema) {
        return Flyway.configure()
                .dataSource(dataSource)
                .schemas(requireIdentifier(schema))
                .createSchemas(true)
                .locations("classpath:db/migration")
                .load()
                .migrate()
                .migrationsExecuted;
    }

    /** A schema name goes into connection settings and SQL: plain lower-case identifiers only. */
    static String requireIdentifier(String schema) {
        if (schema == null || !IDENTIFIER.matcher(schema).matches()) {
            throw new IllegalArgumentException("not a plain schema name: " + schema);
        }
        return schema;
    }
}
