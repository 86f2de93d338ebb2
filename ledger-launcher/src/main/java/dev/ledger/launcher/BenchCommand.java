package dev.ledger.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.ledger.api.ApiKeySecret;
import dev.ledger.bench.BaselinePostgres;
import dev.ledger.bench.BenchEnvironment;
import dev.ledger.bench.BenchReport;
import dev.ledger.bench.BenchResults;
import dev.ledger.bench.BenchRunner;
import dev.ledger.bench.BenchSettings;
import dev.ledger.bench.Scenario;
import dev.ledger.kafka.KafkaClients;
import dev.ledger.kafka.KafkaSettings;
import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.TopicNames;
import dev.ledger.launcher.runtime.DataDirectory;
import dev.ledger.launcher.runtime.EmbeddedInfrastructure;
import dev.ledger.api.ApiKeySecret;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./ledger bench}: throughput and latency of the ledger, side by side with raw Kafka appends of
 * the same records (the limit) and a plain PostgreSQL ledger (the baseline), on the same machine, one
 * after the other, with the same workload. Starts a fresh stack of its own (Kafka broker, PostgreSQL
 * for the read model, a second PostgreSQL with stock durability for the baseline, and the ledgers under
 * test: one at the partitions `./ledger dev` runs with, one at 1 partition, each in a child JVM with a
 * heap of its own) in a temporary directory, so that the figures neither depend on nor touch a running
 * {@code ./ledger dev}, and the ledger's CPU and memory are measured apart from the load generator's.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = {
                "Benchmarks the ledger against the Kafka limit and a PostgreSQL ledger, on a fresh stack of its own.",
                "--quick: a few minutes (longer while a batch of 1000 takes the ledger more than 10 s), prints the comparison tables.",
                "Ends with lines a script can read: single: ledger/baseline = <x>, batch: ledger/baseline(matched) = <x>,",
                "open-loop <rate>/s: p50 = <ms> p99 = <ms>, bytes/transfer = <n>, records/transfer = <n>.",
                "Full run: writes results.json, bench.md and chart.png to bench-results/<timestamp>/."})
public final class BenchCommand implements Callable<Integer> {
    static final String APPLICATION_ID_PREFIX = "ledger";
    /** Marks a data directory as the bench's own, so that a later run may wipe it. */
    static final String MARKER = ".ledger-bench";

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "Small and short: 200 accounts, 2 s warm-up + 5 s measured per system and scenario "
            + "(batch: 10 s).")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Where to write results.json, bench.md and chart.png (default for a full run: bench-results/<timestamp>/; "
                    + "a quick run writes files only when this is given).")
    Path out;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data directory of the bench's own Kafka and PostgreSQL (default: a temporary directory, deleted "
                    + "afterwards). It is wiped first, so it must be new, empty, or one an earlier bench used.")
    Path dataDir;

    @Option(names = "--accounts", paramLabel = "N", description = "Accounts (quick: 200, full: 2000).")
    Integer accounts;

    @Option(names = "--warmup", paramLabel = "SECONDS", description = "Warm-up per system and scenario (quick: 2, full: 5).")
    Integer warmup;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Measured time per system and scenario (quick: 5, full: 30).")
    Integer duration;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "64", description = "Concurrent clients, single scenario (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--batch-clients", paramLabel = "N", defaultValue = "4",
            description = "Concurrent clients, batch scenario (default: ${DEFAULT-VALUE}; the API holds at most 10,000 waiting transfers).")
    int batchClients;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "1000", description = "Transfers per batch request (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--limit-producers", paramLabel = "N", defaultValue = "1",
            description = "Transactional producers of the Kafka limit (default: ${DEFAULT-VALUE}, as the ledger's one stream thread).")
    int limitProducers;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "" + LedgerConfig.DEFAULT_PARTITIONS,
            description = "Partitions of the ledger's topics (default: ${DEFAULT-VALUE}, what `./ledger dev` runs). A second "
                    + "ledger at 1 partition (system ledger-1-partition, where every transfer takes the same-partition fast "
                    + "path) is measured beside it, on topics and a database of its own, unless N is 1 or --systems leaves it out.")
    int partitions;

    @Option(names = "--scenario", paramLabel = "NAME", split = ",", description = "single, batch, open-loop (default: all three).")
    List<String> scenarios;

    @Option(names = "--systems", paramLabel = "NAME", split = ",",
            description = "Only these systems: kafka-limit, postgres-as-deployed, postgres-matched, ledger, ledger-1-partition "
                    + "(default: all; the ledger at --partitions is always set up: the limit replays what it writes).")
    List<String> systems;

    @Option(names = "--open-loop-rate", paramLabel = "PER_SECOND", defaultValue = "" + BenchSettings.OPEN_LOOP_RATE,
            description = "Transfers per second the open-loop scenario offers each ledger, one per request (default: ${DEFAULT-VALUE}).")
    int openLoopRate;

    @Option(names = "--open-loop-max-in-flight", paramLabel = "N", defaultValue = "" + BenchSettings.OPEN_LOOP_MAX_IN_FLIGHT,
            description = "Open-loop requests in flight at most (default: ${DEFAULT-VALUE}); one due while all are out waits, "
                    + "and the wait counts in its latency.")
    int openLoopMaxInFlight;

    @Option(names = "--ledger-heap", paramLabel = "SIZE", defaultValue = "1g",
            description = "Heap limit (-Xmx) of each ledger's JVM (default: ${DEFAULT-VALUE}).")
    String ledgerHeap;

    @Option(names = "--ledger-java-opts", paramLabel = "OPTIONS",
            description = "More JVM options for each ledger's JVM, space-separated (a profiler agent, say).")
    String ledgerJavaOpts;

    @Option(names = "--streams-config", paramLabel = "KEY=VALUE",
            description = "A Kafka Streams setting for the ledger's processors, over the ledger's own (to try a tuning).")
    Map<String, String> streamsConfig = new LinkedHashMap<>();

    @Option(names = "--commit-interval", paramLabel = "MS",
            description = "The ledger's commit interval (default: the ledger's, " + LedgerConfig.DEFAULT_COMMIT_INTERVAL_MS + ").")
    long commitIntervalMs = LedgerConfig.DEFAULT_COMMIT_INTERVAL_MS;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the workload (default: " + BenchSettings.SEED + ").")
    Long seed;

    @Option(names = "--jfr", description = "Record JFR profiles of the ledger's JVM and of the Kafka broker during each ledger's "
            + "runs, into the output directory: <system>-<scenario>.jfr, kafka-broker-<system>-<scenario>.jfr.")
    boolean jfr;

    @Option(names = "--verbose", description = "Keep the ledger's INFO log lines.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        BenchSettings settings = settings();
        PrintWriter console = spec.commandLine().getOut();
        Path outDir = out != null ? out : quick ? null
                : Path.of("bench-results", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        if (!verbose) quietLedgerLogs();
        boolean temporary = dataDir == null;
        Path root = temporary ? Files.createTempDirectory("ledger-bench-") : prepare(dataDir);
        var stack = new Stack(root, temporary);
        Thread hook = new Thread(stack::close, "ledger-bench-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            console.printf("Starting a fresh Kafka, PostgreSQL and ledgers in %s ...%n", root);
            console.flush();
            boolean onePartitionRow = partitions != 1 && settings.measures(BenchEnvironment.LEDGER_ONE_PARTITION);
            BenchEnvironment env = stack.start(partitions, onePartitionRow, commitIntervalMs,
                    Map.<String, Object>copyOf(streamsConfig), ledgerJvmOptions(), verbose);
            console.printf("Ready: Kafka %s, baseline PostgreSQL %s%n", env.kafka().bootstrapServers(), stack.baseline.durabilitySettings());
            for (BenchEnvironment.Ledger l : env.ledgers()) {
                console.printf("  %s: %s, pid %d, %s%n", l.name(), l.api(), l.pid(), l.jvm());
            }
            console.flush();
            var profiler = jfr ? new Profiler(outDir != null ? outDir : root, env, console) : null;
            BenchResults results = new BenchRunner(settings, env, console, profiler).run();
            var report = new BenchReport(results);
            console.println();
            console.print(report.text());
            if (outDir != null) {
                report.write(outDir, commandLine());
                console.printf("%nWrote %s, %s and %s to %s%n", BenchReport.JSON_FILE, BenchReport.MARKDOWN_FILE,
                        BenchReport.CHART_FILE, outDir);
            }
            console.flush();
            return 0;
        } finally {
            stack.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs now
            }
        }
    }

    private BenchSettings settings() {
        BenchSettings base = quick ? BenchSettings.quickRun() : BenchSettings.fullRun();
        if (clients < 1 || batchClients < 1 || batchSize < 1 || limitProducers < 1 || partitions < 1 || openLoopRate < 1
                || openLoopMaxInFlight < 1) {
            throw new ParameterException(spec.commandLine(), "counts must be at least 1");
        }
        if (!ledgerHeap.matches("[1-9][0-9]*[kKmMgG]?")) {
            throw new ParameterException(spec.commandLine(), "--ledger-heap: a size such as 1g or 768m, not " + ledgerHeap);
        }
        if (batchSize > 1000) throw new ParameterException(spec.commandLine(), "--batch-size: the API takes at most 1000 transfers per batch");
        if ((long) batchClients * batchSize > 10_000) {
            throw new ParameterException(spec.commandLine(), "--batch-clients x --batch-size must stay within the API's 10,000 waiting transfers");
        }
        BenchSettings s = base.with(accounts != null ? accounts : base.accounts(), warmup != null ? warmup : base.warmupSeconds(),
                duration != null ? duration : base.measureSeconds());
        if (s.accounts() < 2) throw new ParameterException(spec.commandLine(), "--accounts must be at least 2");
        s = s.withClients(clients, batchClients, batchSize, limitProducers).withOpenLoop(openLoopRate, openLoopMaxInFlight);
        if (seed != null) s = s.withSeed(seed);
        if (systems != null) {
            var known = List.of("kafka-limit", "postgres-as-deployed", "postgres-matched", BenchEnvironment.LEDGER,
                    BenchEnvironment.LEDGER_ONE_PARTITION);
            for (String name : systems) {
                if (!known.contains(name)) throw new ParameterException(spec.commandLine(), "--systems: one of " + known + ", not " + name);
            }
            s = s.withSystems(systems);
        }
        if (scenarios != null && !scenarios.isEmpty()) {
            var chosen = new ArrayList<Scenario>();
            for (String name : scenarios) {
                chosen.add(Stream.of(Scenario.values()).filter(v -> v.key().equalsIgnoreCase(name.strip())).findFirst()
                        .orElseThrow(() -> new ParameterException(spec.commandLine(), "--scenario: single, batch or open-loop, not " + name)));
            }
            s = s.withScenarios(chosen);
        }
        return s;
    }

    /** The heap limit, then any further options; -Xmx is checked by the JVM itself when the ledger starts. */
    private List<String> ledgerJvmOptions() {
        var options = new ArrayList<String>();
        options.add("-Xmx" + ledgerHeap);
        if (ledgerJavaOpts != null && !ledgerJavaOpts.isBlank()) options.addAll(List.of(ledgerJavaOpts.strip().split("\\s+")));
        return options;
    }

    /** A given data directory is wiped: refuse one that holds anything but an earlier bench's data. */
    private Path prepare(Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        if (Files.isDirectory(root) && !Files.exists(root.resolve(MARKER))) {
            try (Stream<Path> entries = Files.list(root)) {
                if (entries.findAny().isPresent()) {
                    throw new ParameterException(spec.commandLine(), "--data-dir " + dir + " is not empty and was not made by "
                            + "`ledger bench`; the bench wipes its data directory, so give it a new or empty one");
                }
            }
        }
        Files.createDirectories(root);
        Files.writeString(root.resolve(MARKER), "data directory of `ledger bench`: wiped by every run\n");
        return root;
    }

    private String commandLine() {
        // the root's parse result holds every argument, the subcommand's name included
        CommandLine root = spec.root().commandLine();
        return String.join(" ", Stream.concat(Stream.of("./ledger"),
                root.getParseResult().originalArgs().stream()).toList());
    }

    /**
     * The ledger's INFO lines, and the Kafka clients' warnings (a retried OutOfOrderSequence at a
     * producer's first transaction, KAFKA-18202, prints one line per partition), would drown the progress.
     */
    static void quietLedgerLogs() {
        if (LoggerFactory.getLogger("dev.ledger") instanceof ch.qos.logback.classic.Logger logger) {
            logger.setLevel(ch.qos.logback.classic.Level.WARN);
        }
        if (LoggerFactory.getLogger("org.apache.kafka") instanceof ch.qos.logback.classic.Logger logger) {
            logger.setLevel(ch.qos.logback.classic.Level.ERROR);
        }
    }

    /** Kafka and PostgreSQL, the ledgers on them (each in a JVM of its own), and the baseline's own PostgreSQL; closed newest first. */
    private static final class Stack {
        private final Path root;
        private final boolean temporary;
        private EmbeddedInfrastructure infrastructure;
        private final List<BenchLedgerProcess> ledgers = new ArrayList<>();
        private BaselinePostgres baseline;
        private boolean closed;

        Stack(Path root, boolean temporary) {
            this.root = root;
            this.temporary = temporary;
        }

        BenchEnvironment start(int partitions, boolean onePartitionRow, long commitIntervalMs,
                               Map<String, Object> streamsOverrides, List<String> jvmOptions, boolean verbose)
                throws IOException, InterruptedException {
            var dir = new DataDirectory(root.resolve("ledger"));
            infrastructure = EmbeddedInfrastructure.start(dir, true);
            baseline = BaselinePostgres.start(root.resolve("baseline-postgres"));
            var specs = new ArrayList<Map.Entry<String, Integer>>();
            specs.add(Map.entry(BenchEnvironment.LEDGER, partitions));
            if (onePartitionRow) specs.add(Map.entry(BenchEnvironment.LEDGER_ONE_PARTITION, 1));
            var under = new ArrayList<BenchEnvironment.Ledger>();
            for (var spec : specs) {
                under.add(startLedger(dir, spec.getKey(), spec.getValue(), commitIntervalMs, streamsOverrides, jvmOptions,
                        verbose));
            }
            return new BenchEnvironment(new KafkaClients(infrastructure.bootstrapServers(), KafkaSettings.DEV), under, commitIntervalMs, baseline.jdbcUrl(),
                    BaselinePostgres.USER, "", infrastructure.kafkaPid(), infrastructure.postgresPid(), baseline.pid(),
                    revision());
        }

        /**
         * One ledger with topics, application ids, read-model database and state of its own
         * ({@code ledger-12p.ledger.commands}, application ids {@code ledger-12p-...}, database {@code ledger_12p}).
         */
        private BenchEnvironment.Ledger startLedger(DataDirectory dir, String system, int partitions, long commitIntervalMs,
                                                    Map<String, Object> streamsOverrides, List<String> jvmOptions,
                                                    boolean verbose) throws IOException, InterruptedException {
            String id = APPLICATION_ID_PREFIX + "-" + partitions + "p";
            String database = "ledger_" + partitions + "p";
            try (var c = java.sql.DriverManager.getConnection(infrastructure.jdbcUrl(), infrastructure.dbUser(),
                    infrastructure.dbPassword()); var st = c.createStatement()) {
                st.execute("CREATE DATABASE " + database);
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("could not create the read-model database " + database, e);
            }
            Path ledgerDir = root.resolve(system);
            var config = new LedgerConfig(infrastructure.bootstrapServers(),
                    infrastructure.jdbcUrl().replaceFirst("/postgres(\\?|$)", "/" + database + "$1"),
                    infrastructure.dbUser(), infrastructure.dbPassword(), 0, partitions, dir.loadOrCreateKey(),
                    ledgerDir.resolve("state"), TopicNames.prefixed(id + "."), commitIntervalMs, id);
            String adminKey = ApiKeySecret.generate(); // a fresh database: this becomes its first admin key
            BenchLedgerProcess process = BenchLedgerProcess.start(ledgerDir, config, adminKey, streamsOverrides,
                    jvmOptions, verbose);
            ledgers.add(process);
            TopicNames topics = config.topics();
            var names = List.of(topics.commands(), topics.events(), topics.results(), topics.deadLetters());
            return new BenchEnvironment.Ledger(system, URI.create("http://127.0.0.1:" + process.httpPort() + "/"),
                    adminKey, name -> names.contains(name) || name.startsWith(id + "-"), partitions, process.pid(),
                    "child JVM " + String.join(" ", jvmOptions));
        }

        /** {@code git describe} of the working directory when it is a checkout, else the launcher's version. */
        private static String revision() {
            try {
                Process git = new ProcessBuilder("git", "describe", "--always", "--dirty", "--abbrev=12")
                        .redirectErrorStream(true).start();
                String out = new String(git.getInputStream().readAllBytes()).strip();
                if (git.waitFor(10, TimeUnit.SECONDS) && git.exitValue() == 0 && !out.isEmpty()) return "git " + out;
            } catch (IOException | InterruptedException e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            }
            String version = BenchCommand.class.getPackage().getImplementationVersion();
            return "ledger " + (version == null ? "development" : version);
        }

        synchronized void close() {
            if (closed) return;
            closed = true;
            for (int i = ledgers.size() - 1; i >= 0; i--) closeQuietly(ledgers.get(i));
            closeQuietly(baseline);
            closeQuietly(infrastructure);
            if (temporary) DataDirectory.deleteTree(root);
        }

        private static void closeQuietly(AutoCloseable closeable) {
            if (closeable == null) return;
            try {
                closeable.close();
            } catch (Exception e) {
                LoggerFactory.getLogger(BenchCommand.class).warn("could not stop {}: {}", closeable.getClass().getSimpleName(), e.toString());
            }
        }
    }

    /**
     * JFR during each ledger's runs, of the ledger's JVM and of the broker, both through jcmd: the load
     * generator's JVM is not the one measured.
     */
    private static final class Profiler implements BenchRunner.Listener {
        private final Path dir;
        private final BenchEnvironment env;
        private final PrintWriter console;

        Profiler(Path dir, BenchEnvironment env, PrintWriter console) {
            this.dir = dir;
            this.env = env;
            this.console = console;
        }

        private long ledgerPid(String system) {
            return env.ledgers().stream().filter(l -> l.name().equals(system)).mapToLong(BenchEnvironment.Ledger::pid)
                    .findFirst().orElse(0);
        }

        @Override
        public void starting(Scenario scenario, String system) {
            long pid = ledgerPid(system);
            if (pid <= 0) return;
            try {
                Files.createDirectories(dir);
                jcmd(pid, "JFR.start", "name=ledger-bench", "settings=profile");
                if (env.kafkaPid() > 0) jcmd(env.kafkaPid(), "JFR.start", "name=ledger-bench", "settings=profile");
            } catch (Exception e) {
                console.println("(no JFR profile: " + e + ")");
            }
        }

        @Override
        public void finished(Scenario scenario, String system) {
            long pid = ledgerPid(system);
            if (pid <= 0) return;
            try {
                Path ledgerJfr = dir.resolve(system + "-" + scenario.key() + ".jfr").toAbsolutePath();
                jcmd(pid, "JFR.stop", "name=ledger-bench", "filename=" + ledgerJfr);
                String written = ledgerJfr.toString();
                if (env.kafkaPid() > 0) {
                    Path kafkaJfr = dir.resolve("kafka-broker-" + system + "-" + scenario.key() + ".jfr").toAbsolutePath();
                    jcmd(env.kafkaPid(), "JFR.stop", "name=ledger-bench", "filename=" + kafkaJfr);
                    written += " and " + kafkaJfr;
                }
                console.printf("  (JFR profiles written: %s)%n", written);
                console.flush();
            } catch (Exception e) {
                console.println("(no JFR profile: " + e + ")");
            }
        }

        private static void jcmd(long pid, String... args) throws IOException, InterruptedException {
            var command = new ArrayList<String>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
            command.add(Long.toString(pid));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }
}
