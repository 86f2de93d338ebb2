package dev.ledger.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.ledger.kafka.LedgerConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import dev.ledger.kafka.TopicNames;
import dev.ledger.launcher.runtime.DataDirectory;
import dev.ledger.launcher.runtime.DataDirectoryLock;
import dev.ledger.launcher.runtime.EmbeddedInfrastructure;
import dev.ledger.launcher.runtime.Ports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./ledger dev}: the whole ledger on one machine. Starts a real Kafka broker and a real
 * PostgreSQL on the data directory (or uses the external cluster named by LEDGER_KAFKA_BOOTSTRAP_SERVERS
 * and LEDGER_DB_URL), starts the ledger on them, and runs until Ctrl-C. A shutdown hook stops the
 * application, then Kafka and PostgreSQL, so that nothing is left running.
 */
@Command(name = "dev",
        mixinStandardHelpOptions = true,
        description = {
                "Runs the ledger with an embedded Kafka broker and PostgreSQL, until Ctrl-C.",
                "Data (topics, database, ports, key) persists in the data directory across restarts.",
                "With LEDGER_KAFKA_BOOTSTRAP_SERVERS and LEDGER_DB_URL set, uses that cluster and starts nothing embedded."})
public final class DevCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(DevCommand.class);
    static final String APPLICATION_ID_PREFIX = "ledger";
    /**
     * One dev instance per data directory: a fixed group.instance.id lets a restart after a crash take
     * its partitions back at once, instead of waiting out the dead member's session timeout (45 s).
     */
    static final Map<String, Object> STATIC_MEMBERSHIP = Map.of(
            StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), "ledger-dev");
    /** How long Ctrl-C waits for an interrupted application start to give up. */
    private static final long APPLICATION_ABORT_WAIT_MS = 10_000;
    /** Longer: an interrupted infrastructure start stops what it started, bounded by its own 60 s timeouts. */
    private static final long INFRASTRUCTURE_ABORT_WAIT_MS = 90_000;

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".ledger-data",
            description = "Data directory (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--fresh", description = "Delete the data directory's contents first: topics, database, ports and key.")
    boolean fresh;

    @Option(names = "--port", paramLabel = "PORT",
            description = "HTTP port of the API (default: the one used last time with this data directory, else 8080).")
    Integer port;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = Ports.LOOPBACK,
            description = "Interface the HTTP API listens on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 for every one).")
    String host;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions of the ledger's topics (default: 12, or LEDGER_PARTITIONS with an external cluster).")
    Integer partitions;

    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Thread starter;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile LedgerApplication application;
    private volatile AutoCloseable infrastructure;

    @Override
    public Integer call() {
        validate();
        long startNs = System.nanoTime();
        Map<String, String> env = System.getenv();
        DataDirectory dir = new DataDirectory(dataDir);
        Thread hook = new Thread(this::stop, "ledger-shutdown");
        // Registered before anything starts: a Ctrl-C during startup must stop what already runs.
        Runtime.getRuntime().addShutdownHook(hook);
        starter = Thread.currentThread();
        try {
            LedgerConfig config = LedgerTarget.externalConfigured(env) ? startExternal(dir, env) : startEmbedded(dir, env);
            // instances scaled out on an external cluster must not share an instance id: they would fence each other
            application = LedgerApplication.start(config, LedgerTarget.externalConfigured(env) ? Map.of() : STATIC_MEMBERSHIP,
                    LedgerApplication.Access.of(host, env));
            if (!LedgerTarget.externalConfigured(env)) rememberHttpPort(dir, application.httpPort());
            printBanner(config, dir, application, System.nanoTime() - startNs);
        } catch (RuntimeException e) {
            started.countDown();
            // If the shutdown hook interrupted the start, it is stopping everything itself: clear the flag
            // so that stop() below waits for it instead of returning at once.
            Thread.interrupted();
            boolean interruptedByShutdown = stopping.get();
            stop();
            removeHook(hook);
            if (interruptedByShutdown) {
                out().println("Startup interrupted; nothing left running.");
                out().flush();
                return 130;
            }
            throw e;
        } finally {
            starter = null;
            started.countDown();
        }
        awaitShutdown();
        return 0;
    }

    private LedgerConfig startEmbedded(DataDirectory dir, Map<String, String> env) {
        out().printf("Starting Kafka and PostgreSQL in %s%s ...%n", dir, fresh ? " (fresh)" : "");
        out().flush();
        EmbeddedInfrastructure embedded = EmbeddedInfrastructure.start(dir, fresh);
        infrastructure = embedded;
        Ports ports = dir.loadOrChoosePorts();
        int httpPort = port != null ? port : ports.hasHttpPort() ? ports.httpPort() : LedgerTarget.DEFAULT_HTTP_PORT;
        return new LedgerConfig(embedded.bootstrapServers(), embedded.jdbcUrl(), embedded.dbUser(), embedded.dbPassword(),
                httpPort, partitions != null ? partitions : LedgerConfig.DEFAULT_PARTITIONS, dir.loadOrCreateKey(),
                dir.stateDir(), TopicNames.DEFAULT, LedgerConfig.DEFAULT_COMMIT_INTERVAL_MS, APPLICATION_ID_PREFIX)
                .withKeys(LedgerTarget.embeddedKeys(dir.loadOrCreateKey(), env));
    }

    /** External cluster: the data directory holds the Streams state and, unless LEDGER_KEY_HEX or LEDGER_KEYS_FILE is set, the key. */
    private LedgerConfig startExternal(DataDirectory dir, Map<String, String> env) {
        DataDirectoryLock lock = dir.lock();
        infrastructure = lock;
        if (fresh) {
            out().println("--fresh: deleting the local state in " + dir + " (the external cluster is left alone)");
            dir.wipe();
        }
        createDirectory(dir.stateDir());
        LedgerConfig config = LedgerConfig.fromEnvironment(env, dir.stateDir(), LedgerTarget.legacyKey(dir, env, true));
        if (port != null) config = config.withHttpPort(port);
        if (partitions != null) config = config.withPartitions(partitions);
        return config;
    }

    private static void createDirectory(Path path) {
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create " + path, e);
        }
    }

    private void validate() {
        if (port != null && (port < 0 || port > 65535)) {
            throw new ParameterException(spec.commandLine(), "--port must be between 0 and 65535");
        }
        if (partitions != null && partitions < 1) {
            throw new ParameterException(spec.commandLine(), "--partitions must be at least 1");
        }
    }

    /** Saved after the application bound it, so that `--port 0` persists the port actually chosen. */
    private static void rememberHttpPort(DataDirectory dir, int httpPort) {
        dir.readPorts().ifPresent(ports -> {
            if (ports.httpPort() != httpPort) dir.savePorts(ports.withHttpPort(httpPort));
        });
    }

    private void printBanner(LedgerConfig config, DataDirectory dir, LedgerApplication app, long elapsedNs) {
        int httpPort = app.httpPort();
        PrintWriter out = out();
        out.printf("%nLedger ready in %.1f s%n", elapsedNs / 1e9);
        out.printf("  API:    http://%s:%d%n", host, httpPort);
        app.metricsPort().ifPresent(metricsPort -> out.printf("  Metrics: http://%s:%d/metrics (no key)%n",
                app.access().metricsHost(), metricsPort));
        out.printf("  Kafka:  %s%n", config.bootstrapServers());
        out.printf("  JDBC:   %s (user %s%s; queries as %s)%n", config.jdbcUrl(), config.dbUser(),
                config.dbPassword() == null || config.dbPassword().isEmpty() ? ", no password" : "", config.dbReadUser());
        out.printf("  Data:   %s%n", dir);
        if (infrastructure instanceof EmbeddedInfrastructure) out.printf("  Logs:   %s%n", dir.logsDir());
        application.generatedAdminKey().ifPresent(key -> {
            out.printf("%nAdmin API key (shown this once; only its hash is kept):%n  %s%n", key);
            out.printf("  curl -H 'Authorization: Bearer %s' http://%s:%d/v1/api-keys%n", key, Ports.LOOPBACK, httpPort);
            out.println("  Create keys with fewer rights: ./ledger keys create --role payments --name <name>");
        });
        out.println("Press Ctrl-C to stop.");
        out.flush();
    }

    /** Application first (it uses Kafka and PostgreSQL while closing), then the infrastructure. Idempotent. */
    private void stop() {
        if (!stopping.compareAndSet(false, true)) {
            awaitStopped();
            return;
        }
        try {
            abortStartup();
            LedgerApplication app = application;
            if (app != null) {
                out().println("Stopping the ledger ...");
                out().flush();
                closeQuietly(app, "the ledger application");
            }
            AutoCloseable infra = infrastructure;
            if (infra != null) closeQuietly(infra, "Kafka and PostgreSQL");
            if (app != null || infra != null) {
                out().println("Stopped.");
                out().flush();
            }
        } finally {
            stopped.countDown();
        }
    }

    /**
     * Ctrl-C while the application is still starting: there is no application to close yet, and
     * stopping Kafka under its feet leaves its threads retrying against a dead broker. Interrupt the
     * start and give it a bounded time to give up (and close what it started) or to finish.
     */
    private void abortStartup() {
        Thread thread = starter;
        if (thread == null || thread == Thread.currentThread()) return;
        out().println("Interrupting the startup ...");
        out().flush();
        long waitMs = infrastructure == null ? INFRASTRUCTURE_ABORT_WAIT_MS : APPLICATION_ABORT_WAIT_MS;
        thread.interrupt();
        try {
            if (!started.await(waitMs, TimeUnit.MILLISECONDS)) {
                LOG.warn("Still starting after {} ms; stopping anyway", waitMs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitShutdown() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A second stop (hook and failed startup at once) waits for the first, bounded. */
    private void awaitStopped() {
        try {
            if (!stopped.await(90, TimeUnit.SECONDS)) LOG.warn("Still stopping after 90 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable closeable, String what) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("Could not stop {} cleanly: {}", what, e.toString());
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is already exiting; the hook has run or runs now.
        }
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
