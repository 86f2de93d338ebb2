package dev.ledger.launcher.runtime;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft Kafka (broker and controller in one process) run as a child JVM from the
 * kafka_2.13 jar on our own class path.
 *
 * <p>Why a child process rather than the broker in our JVM: it keeps its own heap and threads away from
 * the ledger, it survives nothing it should not (the launcher stops it), and when the launcher is
 * SIGKILLed the next start finds it through {@code run/kafka.pid} and stops it.
 */
public final class KafkaBrokerProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerProcess.class);

    static final String MAIN_CLASS = "kafka.Kafka";
    static final String STORAGE_TOOL = "kafka.tools.StorageTool";
    /** Classpath resources: the child logs through slf4j to logback, and a few parts through log4j2. */
    static final String LOGBACK_CONFIG = "ledger-kafka-broker-logback.xml";
    static final String LOG4J2_CONFIG = "ledger-kafka-broker-log4j2.xml";
    static final String LOG_FILE_PROPERTY = "ledger.kafka.logFile";

    private static final long READY_TIMEOUT_MS = 60_000;
    private static final long FORMAT_TIMEOUT_MS = 60_000;
    private static final long STOP_TIMEOUT_MS = 30_000;
    private static final long STALE_STOP_TIMEOUT_MS = 30_000;
    private static final long POLL_MS = 100;

    private final DataDirectory dir;
    private final Ports ports;
    private final Process process;
    /** What a client needs beyond the bootstrap servers to reach this broker (nothing for plaintext). */
    private final Map<String, String> clientProperties;
    private final AtomicBoolean closed = new AtomicBoolean();

    private KafkaBrokerProcess(DataDirectory dir, Ports ports, Process process, Map<String, String> clientProperties) {
        this.dir = dir;
        this.ports = ports;
        this.process = process;
        this.clientProperties = clientProperties;
    }

    /**
     * Stops a broker left behind by a dead launcher, formats the storage on first start, starts the
     * broker and waits until it answers. The caller holds the data directory's lock.
     */
    public static KafkaBrokerProcess start(DataDirectory dir, Ports ports) {
        return start(dir, ports, null);
    }

    /**
     * As {@link #start(DataDirectory, Ports)}, with a SASL_SSL listener and SCRAM users when {@code security}
     * is not null. The users are created when the storage is formatted, so on a new data directory only.
     */
    public static KafkaBrokerProcess start(DataDirectory dir, Ports ports, BrokerSecurity security) {
        long startNs = System.nanoTime();
        dir.create();
        stopStale(dir);
        Ports.requireFree(ports.kafkaBrokerPort(), "Kafka broker");
        Ports.requireFree(ports.kafkaControllerPort(), "Kafka controller");

        Path serverProperties = serverPropertiesFile(dir);
        KafkaServerProperties.write(serverProperties, KafkaServerProperties.of(dir, ports, security));
        if (!Files.exists(dir.kafkaDir().resolve("meta.properties"))) {
            format(dir, serverProperties, security != null ? security.formatArguments() : List.of());
        }

        Process process = launch(dir, List.of(MAIN_CLASS, serverProperties.toString()), List.of("-Xms128m", "-Xmx512m"));
        OsProcesses.writePid(dir.kafkaPidFile(), process.pid());
        KafkaBrokerProcess broker = new KafkaBrokerProcess(dir, ports, process,
                security != null ? security.interBrokerClientProperties() : Map.of());
        try {
            broker.awaitReady(READY_TIMEOUT_MS);
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        LOG.info("Kafka broker (pid {}) ready on {} in {} ms", process.pid(), broker.bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
        return broker;
    }

    /**
     * Stops the broker named by {@code run/kafka.pid} when it is still running: only a process whose
     * command line runs {@code kafka.Kafka} on this data directory's server.properties, never a pid
     * that the OS has since given to something else.
     */
    public static void stopStale(DataDirectory dir) {
        OptionalLong pid = OsProcesses.readPid(dir.kafkaPidFile());
        if (pid.isEmpty()) return;
        if (OsProcesses.isAliveWithCommandLine(pid.getAsLong(), isBrokerOf(dir))) {
            LOG.warn("Stopping a Kafka broker left running by an earlier launcher (pid {})", pid.getAsLong());
            if (!OsProcesses.stop(pid.getAsLong(), "TERM", STALE_STOP_TIMEOUT_MS, "stale Kafka broker")) {
                throw new IllegalStateException("could not stop the stale Kafka broker, pid " + pid.getAsLong());
            }
        }
        deleteQuietly(dir.kafkaPidFile());
    }

    public String bootstrapServers() {
        return bootstrapServers(ports);
    }

    public static String bootstrapServers(Ports ports) {
        return Ports.LOOPBACK + ":" + ports.kafkaBrokerPort();
    }

    /** True when {@code run/kafka.pid} names a live broker of this data directory. */
    public static boolean isRunning(DataDirectory dir) {
        OptionalLong pid = OsProcesses.readPid(dir.kafkaPidFile());
        return pid.isPresent() && OsProcesses.isAliveWithCommandLine(pid.getAsLong(), isBrokerOf(dir));
    }

    private static Predicate<String> isBrokerOf(DataDirectory dir) {
        String config = serverPropertiesFile(dir).toString();
        return line -> OsProcesses.hasToken(line, MAIN_CLASS) && OsProcesses.hasToken(line, config);
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return logFile(dir);
    }

    /** SIGTERM (the broker's own controlled shutdown), up to 30 s, then SIGKILL. Idempotent. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) return;
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                    LOG.warn("Kafka broker (pid {}) did not stop within {} ms; killing it", process.pid(), STOP_TIMEOUT_MS);
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            if (!process.isAlive()) deleteQuietly(dir.kafkaPidFile());
        }
    }

    private void awaitReady(long timeoutMs) {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        // Poll the port first: an Admin client pointed at a closed port logs a warning per attempt.
        while (!acceptsConnections()) {
            failIfExited();
            if (System.nanoTime() - deadlineNs > 0) throw notReady(timeoutMs, null);
            OsProcesses.sleep(POLL_MS);
        }
        Map<String, Object> adminProps = new HashMap<>(clientProperties);
        adminProps.putAll(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
        try (Admin admin = Admin.create(adminProps)) {
            Exception last = null;
            while (System.nanoTime() - deadlineNs < 0) {
                failIfExited();
                try {
                    long leftMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime()));
                    int callMs = (int) Math.min(leftMs, 5_000);
                    if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(callMs)).nodes()
                            .get(callMs, TimeUnit.MILLISECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                    OsProcesses.sleep(POLL_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
                }
            }
            throw notReady(timeoutMs, last);
        }
    }

    private boolean acceptsConnections() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(Ports.LOOPBACK, ports.kafkaBrokerPort()), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void failIfExited() {
        if (!process.isAlive()) {
            throw new IllegalStateException("the Kafka broker exited with code " + process.exitValue()
                    + " while starting; see " + logFile() + " and " + outputFile(dir));
        }
    }

    private IllegalStateException notReady(long timeoutMs, Exception cause) {
        return new IllegalStateException("the Kafka broker (pid " + process.pid() + ") did not become ready within "
                + Duration.ofMillis(timeoutMs).toSeconds() + " s; see " + logFile() + " and " + outputFile(dir), cause);
    }

    /** Formats the log dir for a new one-voter cluster (`kafka-storage.sh format --standalone`) in a child JVM. */
    private static void format(DataDirectory dir, Path serverProperties, List<String> extraArguments) {
        String clusterId = Uuid.randomUuid().toString();
        LOG.info("Formatting Kafka storage in {} (cluster id {})", dir.kafkaDir(), clusterId);
        List<String> command = new ArrayList<>(List.of(STORAGE_TOOL, "format", "-t", clusterId, "-c",
                serverProperties.toString(), "--standalone"));
        command.addAll(extraArguments);
        // A short-lived tool: a small heap and the C1 compiler only start it faster.
        Process tool = launch(dir, command, List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        try {
            if (!tool.waitFor(FORMAT_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                tool.destroyForcibly();
                throw new IllegalStateException("formatting the Kafka storage did not finish within "
                        + Duration.ofMillis(FORMAT_TIMEOUT_MS).toSeconds() + " s; see " + outputFile(dir));
            }
        } catch (InterruptedException e) {
            tool.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while formatting the Kafka storage", e);
        }
        if (tool.exitValue() != 0) {
            throw new IllegalStateException("formatting the Kafka storage failed with exit code " + tool.exitValue()
                    + "; see " + outputFile(dir) + " and " + logFile(dir));
        }
    }

    private static Process launch(DataDirectory dir, List<String> mainAndArgs, List<String> heapOptions) {
        List<String> jvmOptions = new ArrayList<>(heapOptions);
        jvmOptions.add("-XX:+ExitOnOutOfMemoryError");
        jvmOptions.add("-Djava.awt.headless=true");
        jvmOptions.add("-Dlogback.configurationFile=" + LOGBACK_CONFIG);
        jvmOptions.add("-Dlog4j2.configurationFile=" + LOG4J2_CONFIG);
        jvmOptions.add("-D" + LOG_FILE_PROPERTY + "=" + logFile(dir));
        List<String> command = ChildJvm.command(true, jvmOptions, mainAndArgs.getFirst(), mainAndArgs.subList(1, mainAndArgs.size()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.root().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(outputFile(dir).toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + mainAndArgs.getFirst() + " with " + ChildJvm.javaBinary(), e);
        }
    }

    private static File nullDevice() {
        return new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    static Path serverPropertiesFile(DataDirectory dir) {
        return dir.runDir().resolve("server.properties");
    }

    static Path logFile(DataDirectory dir) {
        return dir.logsDir().resolve("kafka.log");
    }

    static Path outputFile(DataDirectory dir) {
        return dir.logsDir().resolve("kafka.out");
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", file, e.toString());
        }
    }
}
