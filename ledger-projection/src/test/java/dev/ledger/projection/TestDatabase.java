package dev.ledger.projection;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** A real PostgreSQL (zonky, embedded) with the read model migrated into its own schema. */
final class TestDatabase implements AutoCloseable {
    static final String SCHEMA = ReadModelSchema.DEFAULT_SCHEMA;

    private EmbeddedPostgres postgres;
    private final Path dataDir;
    private final int port;
    final HikariDataSource dataSource;

    private TestDatabase(EmbeddedPostgres postgres, Path dataDir) {
        this.postgres = postgres;
        this.dataDir = dataDir;
        this.port = postgres.getPort();
        this.dataSource = ReadModelDataSource.create(jdbcUrl(port), "postgres", "postgres", SCHEMA, 4);
        dataSource.getHikariConfigMXBean().setConnectionTimeout(1_000); // outage tests: fail each attempt fast
        ReadModelSchema.migrate(dataSource, SCHEMA);
    }

    /** @param dataDir where the cluster lives, so that {@link #restart()} brings the same data back */
    static TestDatabase start(Path dataDir) {
        return new TestDatabase(embedded(dataDir, 0), dataDir);
    }

    int port() {
        return port;
    }

    static String jdbcUrl(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    void stop() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the server again on the same port and data directory, as after an outage. */
    void restart() {
        postgres = embedded(dataDir, port);
    }

    private static EmbeddedPostgres embedded(Path dataDir, int port) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("fsync", "off") // test speed; durability is not under test here
                    .setServerConfig("timezone", "UTC");
            if (port != 0) builder.setPort(port);
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void truncate() throws SQLException {
        execute("TRUNCATE entries, transfers, accounts, projection_parked");
    }

    void execute(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Every row of the read model as JSON text, in a stable order: equal snapshots, equal read models. */
    List<String> snapshot() throws SQLException {
        return strings("""
                SELECT 'account ' || row_to_json(a)::text FROM (SELECT * FROM accounts ORDER BY account_id) a
                UNION ALL
                SELECT 'entry ' || row_to_json(e)::text FROM (SELECT * FROM entries ORDER BY entry_id) e
                UNION ALL
                SELECT 'transfer ' || row_to_json(t)::text FROM (SELECT * FROM transfers ORDER BY transfer_id) t""");
    }

    List<String> strings(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) rows.add(rs.getString(1));
        }
        return rows;
    }

    long count(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        dataSource.close();
        stop();
    }
}
