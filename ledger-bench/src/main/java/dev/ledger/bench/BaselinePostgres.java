package dev.ledger.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The PostgreSQL server the baseline runs on: same machine, same binaries as the ledger's read model,
 * but with PostgreSQL's stock durability. The ledger's embedded read-model server runs with fsync off
 * (zonky's test defaults, kept by the dev runtime because projections can be rebuilt from Kafka); a
 * baseline "as teams deploy it" on that server would be measured without a single WAL flush. Here
 * fsync, synchronous_commit and full_page_writes are on, as after initdb; the matched-durability row
 * turns synchronous_commit off per session, which is what a team could do.
 */
public final class BaselinePostgres implements AutoCloseable {
    public static final String DATABASE = "bench_baseline";
    public static final String USER = "postgres";

    private final EmbeddedPostgres postgres;
    private final long pid;

    private BaselinePostgres(EmbeddedPostgres postgres, long pid) {
        this.postgres = postgres;
        this.pid = pid;
    }

    /** Starts a server on a fresh cluster in {@code dir} (deleted when closed), on a free loopback port. */
    public static BaselinePostgres start(Path dir) {
        try {
            Files.createDirectories(dir);
            Path log = dir.resolveSibling(dir.getFileName() + ".log");
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(true)
                    .setRegisterShutdownHook(true)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    // zonky passes -F (fsync off) and synchronous_commit=off by default: put the stock settings back
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setServerConfig("max_connections", "100")
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            var server = new BaselinePostgres(postgres, readPid(dir.resolve("postmaster.pid")).orElse(-1));
            server.createDatabase();
            return server;
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("could not start the baseline's PostgreSQL in " + dir, e);
        }
    }

    private void createDatabase() throws SQLException {
        try (Connection c = DriverManager.getConnection(adminUrl(), USER, ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + DATABASE);
        }
    }

    /** The settings that decide its durability, read back from the server. */
    public Map<String, String> durabilitySettings() throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl(), USER, ""); Statement s = c.createStatement();
             var r = s.executeQuery("SELECT current_setting('fsync'), current_setting('synchronous_commit'), "
                     + "current_setting('full_page_writes'), current_setting('server_version')")) {
            r.next();
            return Map.of("fsync", r.getString(1), "synchronous_commit", r.getString(2),
                    "full_page_writes", r.getString(3), "server_version", r.getString(4));
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + DATABASE;
    }

    private String adminUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
    }

    public long pid() {
        return pid;
    }

    private static OptionalLong readPid(Path pidFile) {
        try {
            return OptionalLong.of(Long.parseLong(Files.readAllLines(pidFile).getFirst().trim()));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new IllegalStateException("could not stop the baseline's PostgreSQL", e);
        }
    }
}
