package dev.ledger.launcher;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import dev.ledger.kafka.LedgerConfig;
import dev.ledger.launcher.runtime.ChildJvm;

/**
 * A ledger under test in a child JVM ({@link BenchLedgerMain}), the way {@code ./ledger dev} runs it, on
 * the bench's broker and read-model PostgreSQL, with the JVM options given (the heap limit among them).
 * Its output goes to {@code ledger.log} in its directory.
 */
final class BenchLedgerProcess implements AutoCloseable {
    private static final long START_TIMEOUT_MS = 180_000;
    private static final long STOP_TIMEOUT_MS = 45_000;

    private final Process process;
    private final Path logFile;
    private final int httpPort;

    private BenchLedgerProcess(Process process, Path logFile, int httpPort) {
        this.process = process;
        this.logFile = logFile;
        this.httpPort = httpPort;
    }

    /** Starts the ledger and returns once it answers HTTP (its processors are running). */
    /** @param adminApiKey the first admin key of the ledger's fresh database, for the load to use */
    static BenchLedgerProcess start(Path dir, LedgerConfig config, String adminApiKey, Map<String, Object> streamsOverrides,
                                    List<String> jvmOptions, boolean verbose) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        var p = new Properties();
        p.setProperty("bootstrapServers", config.bootstrapServers());
        p.setProperty("jdbcUrl", config.jdbcUrl());
        p.setProperty("dbUser", config.dbUser());
        p.setProperty("dbPassword", config.dbPassword() == null ? "" : config.dbPassword());
        p.setProperty("partitions", Integer.toString(config.partitions()));
        p.setProperty("keyHex", HexFormat.of().formatHex(config.keys().signingKey()));
        p.setProperty("stateDir", config.stateDir().toString());
        p.setProperty("topic.commands", config.topics().commands());
        p.setProperty("topic.events", config.topics().events());
        p.setProperty("topic.results", config.topics().results());
        p.setProperty("topic.deadLetters", config.topics().deadLetters());
        p.setProperty("commitIntervalMs", Long.toString(config.commitIntervalMs()));
        p.setProperty("applicationIdPrefix", config.applicationIdPrefix());
        p.setProperty("verbose", Boolean.toString(verbose));
        p.setProperty("adminApiKey", adminApiKey);
        Path ready = dir.resolve("ready");
        Files.deleteIfExists(ready);
        p.setProperty("readyFile", ready.toString());
        streamsOverrides.forEach((k, v) -> p.setProperty(BenchLedgerMain.STREAMS_PREFIX + k, String.valueOf(v)));
        Path properties = dir.resolve("ledger.properties");
        try (Writer out = Files.newBufferedWriter(properties)) {
            p.store(out, "the ledger under test of ./ledger bench");
        }
        Path log = dir.resolve("ledger.log");
        List<String> command = ChildJvm.command(true, jvmOptions, BenchLedgerMain.class.getName(),
                List.of(properties.toString()));
        // stdin stays a pipe: the child stops when it ends
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        try {
            while (!Files.exists(ready)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the ledger under test exited with " + process.exitValue()
                            + " while starting:\n" + tail(log));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the ledger under test did not start within "
                            + START_TIMEOUT_MS / 1000 + " s; see " + log);
                }
                Thread.sleep(100);
            }
            return new BenchLedgerProcess(process, log, Integer.parseInt(Files.readString(ready).strip()));
        } catch (RuntimeException | InterruptedException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    int httpPort() {
        return httpPort;
    }

    long pid() {
        return process.pid();
    }

    Path logFile() {
        return logFile;
    }

    /** Ends its standard input (it closes the ledger and exits), then waits; kills it if it hangs. */
    @Override
    public void close() throws InterruptedException {
        try {
            process.getOutputStream().close();
        } catch (IOException gone) {
            // it exited already
        }
        if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", new ArrayList<>(lines.subList(Math.max(0, lines.size() - 30), lines.size())));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
