package dev.ledger.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.TopicNames;

/**
 * The ledger under test of {@code ./ledger bench}, in a JVM of its own (see {@link BenchLedgerProcess}):
 * so that its heap limit is its own, and its CPU and memory are measured apart from the load generator's.
 *
 * <p>Argument: a properties file written by {@link BenchLedgerProcess}. Once the ledger runs, the HTTP port
 * is written to the ready file the properties name. The ledger stops when its standard input ends: the
 * bench closes it, and so does the operating system when the bench dies, so no ledger outlives its bench.
 */
public final class BenchLedgerMain {
    static final String STREAMS_PREFIX = "streams.";

    private BenchLedgerMain() {
    }

    public static void main(String[] args) throws IOException {
        var p = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of(args[0]))) {
            p.load(in);
        }
        if (!Boolean.parseBoolean(p.getProperty("verbose"))) BenchCommand.quietLedgerLogs();
        var config = new LedgerConfig(p.getProperty("bootstrapServers"), p.getProperty("jdbcUrl"), p.getProperty("dbUser"),
                p.getProperty("dbPassword"), 0, Integer.parseInt(p.getProperty("partitions")),
                HexFormat.of().parseHex(p.getProperty("keyHex")), Path.of(p.getProperty("stateDir")),
                new TopicNames(p.getProperty("topic.commands"), p.getProperty("topic.events"), p.getProperty("topic.results"),
                        p.getProperty("topic.deadLetters")), Long.parseLong(p.getProperty("commitIntervalMs")),
                p.getProperty("applicationIdPrefix"));
        Map<String, Object> overrides = new LinkedHashMap<>();
        p.stringPropertyNames().stream().filter(k -> k.startsWith(STREAMS_PREFIX))
                .forEach(k -> overrides.put(k.substring(STREAMS_PREFIX.length()), p.getProperty(k)));

        LedgerApplication application;
        try {
            application = LedgerApplication.start(config, overrides,
                    new LedgerApplication.Access(LedgerApplication.Access.LOOPBACK.httpHost(), p.getProperty("adminApiKey")));
        } catch (RuntimeException e) {
            // the bench reads this from ledger.log; exit at once, whatever client threads are left
            e.printStackTrace();
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(application::close, "bench-ledger-shutdown"));
        Path ready = Path.of(p.getProperty("readyFile"));
        Path partial = ready.resolveSibling(ready.getFileName() + ".partial");
        Files.writeString(partial, Integer.toString(application.httpPort()));
        Files.move(partial, ready, StandardCopyOption.ATOMIC_MOVE);

        InputStream stdin = System.in;
        while (stdin.read() >= 0) {
            // nothing is sent: the stream only ends
        }
        System.exit(0); // the shutdown hook closes the ledger
    }
}
