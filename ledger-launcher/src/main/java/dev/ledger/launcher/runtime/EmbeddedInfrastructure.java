package dev.ledger.launcher.runtime;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker and a real PostgreSQL for one data directory, started in parallel, stopped
 * together. Holds the data directory's lock while running, which is what makes stopping the children
 * of a dead launcher safe. The caller registers the JVM shutdown hook; close() is idempotent.
 */
public final class EmbeddedInfrastructure implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedInfrastructure.class);
    /** Above the components' own timeouts (60 s each), so that theirs, with clearer messages, fire first. */
    private static final long START_TIMEOUT_MS = 150_000;

    private final DataDirectory dir;
    private final DataDirectoryLock lock;
    private final KafkaBrokerProcess kafka;
    private final PostgresServer postgres;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedInfrastructure(DataDirectory dir, DataDirectoryLock lock, KafkaBrokerProcess kafka, PostgresServer postgres) {
        this.dir = dir;
        this.lock = lock;
        this.kafka = kafka;
        this.postgres = postgres;
    }

    public static EmbeddedInfrastructure start(DataDirectory dir) {
        return start(dir, false);
    }

    /**
     * @param fresh wipe the data directory first (after stopping anything a dead launcher left running
     *              on it), as {@code ./ledger dev --fresh} does
     */
    public static EmbeddedInfrastructure start(DataDirectory dir, boolean fresh) {
        long startNs = System.nanoTime();
        DataDirectoryLock lock = dir.lock();
        try {
            if (fresh) {
                stopLeftovers(dir);
                dir.wipe();
                dir.create();
            }
            Ports ports = dir.loadOrChoosePorts();
            EmbeddedInfrastructure infrastructure = startBoth(dir, lock, ports);
            LOG.info("Embedded Kafka and PostgreSQL ready in {} ms (data in {})",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs), dir);
            return infrastructure;
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Stops a broker and a PostgreSQL left behind on this directory by a launcher that died. Needs the lock. */
    static void stopLeftovers(DataDirectory dir) {
        KafkaBrokerProcess.stopStale(dir);
        PostgresServer.stopStale(dir);
    }

    private static EmbeddedInfrastructure startBoth(DataDirectory dir, DataDirectoryLock lock, Ports ports) {
        ExecutorService starter = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "ledger-infrastructure-start");
            thread.setDaemon(true);
            return thread;
        });
        try {
            CompletableFuture<KafkaBrokerProcess> kafka = CompletableFuture.supplyAsync(() -> KafkaBrokerProcess.start(dir, ports), starter);
            CompletableFuture<PostgresServer> postgres = CompletableFuture.supplyAsync(() -> PostgresServer.start(dir, ports), starter);
            try {
                CompletableFuture.allOf(kafka, postgres).get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                return new EmbeddedInfrastructure(dir, lock, kafka.join(), postgres.join());
            } catch (ExecutionException | TimeoutException | InterruptedException | CompletionException e) {
                // One failed (or we gave up): wait for the other to settle, then stop whatever did start.
                closeWhenStarted(kafka);
                closeWhenStarted(postgres);
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                throw asRuntime(e);
            }
        } finally {
            starter.shutdownNow();
        }
    }

    private static void closeWhenStarted(CompletableFuture<? extends AutoCloseable> component) {
        try {
            component.get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS).close();
        } catch (Exception ignored) {
            // It failed to start, and cleaned up after itself.
        }
    }

    private static RuntimeException asRuntime(Exception e) {
        Throwable cause = e instanceof ExecutionException || e instanceof CompletionException ? e.getCause() : e;
        if (cause instanceof RuntimeException runtime) return runtime;
        if (e instanceof TimeoutException) {
            return new IllegalStateException("the embedded Kafka and PostgreSQL did not start within "
                    + TimeUnit.MILLISECONDS.toSeconds(START_TIMEOUT_MS) + " s", e);
        }
        return new IllegalStateException("could not start the embedded Kafka and PostgreSQL", cause);
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String jdbcUrl() {
        return postgres.jdbcUrl();
    }

    public String dbUser() {
        return postgres.user();
    }

    public String dbPassword() {
        return postgres.password();
    }

    public DataDirectory dataDirectory() {
        return dir;
    }

    public long kafkaPid() {
        return kafka.pid();
    }

    public long postgresPid() {
        return postgres.pid();
    }

    /**
     * Stops both servers (each is tried even if the other fails), then releases the lock. Kafka and
     * PostgreSQL do not depend on each other, so the order is free; both stop in parallel.
     */
    @Override
    public void close() {
        if (closed.getAndSet(true)) return;
        long startNs = System.nanoTime();
        Thread postgresStopper = Thread.ofPlatform().name("ledger-postgres-stop").start(() -> closeQuietly(postgres, "PostgreSQL"));
        closeQuietly(kafka, "the Kafka broker");
        try {
            // Bounded: PostgresServer.close() itself ends within about 25 s (pg_ctl 5 s, then SIGINT 15 s, SIGKILL 5 s).
            if (!postgresStopper.join(Duration.ofSeconds(40))) LOG.warn("PostgreSQL still stopping after 40 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lock.close();
        LOG.info("Embedded Kafka and PostgreSQL stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
    }

    private static void closeQuietly(AutoCloseable component, String what) {
        try {
            component.close();
        } catch (Exception e) {
            LOG.warn("Could not stop {} cleanly: {}", what, e.toString());
        }
    }
}
