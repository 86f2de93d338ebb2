package dev.ledger.bench;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;


/**
 * One bench run: the same workload through the Kafka limit, the PostgreSQL baseline (as deployed,
 * then with matched durability) and each ledger (at the run's partition count, then at one partition),
 * one after the other on the same machine, for each closed-loop scenario; then the open loop against
 * each ledger. Prints a line per step.
 */
public final class BenchRunner {
    /** Called around each measured run, for example to record a profile of one of them. */
    public interface Listener {
        default void starting(Scenario scenario, String system) {
        }

        default void finished(Scenario scenario, String system) {
        }
    }

    private static final long PAUSE_BETWEEN_RUNS_MS = 500;
    /** CPU used by processes outside the bench above which a run is flagged as disturbed. */
    static final double DISTURBED_CORES = 0.25;

    private final BenchSettings settings;
    private final BenchEnvironment env;
    private final PrintWriter out;
    private final Listener listener;

    public BenchRunner(BenchSettings settings, BenchEnvironment env, PrintWriter out, Listener listener) {
        this.settings = settings;
        this.env = env;
        this.out = out;
        this.listener = listener == null ? new Listener() { } : listener;
    }

    public BenchResults run() throws Exception {
        String startedAt = Instant.now().toString();
        Double loadAtStart = BenchMachine.loadAverage();
        Workload workload = settings.workload();
        List<LedgerHttpLoad> ledgers = env.ledgers().stream().map(LedgerHttpLoad::new).toList();

        say("Setting up %d accounts in %d ledger(s) and in the PostgreSQL baseline (load average %s) ...",
                settings.accounts(), ledgers.size(), loadAtStart);
        PostgresBaselineLedger.install(env.baselineJdbcUrl(), env.baselineUser(), env.baselinePassword(), workload);
        for (LedgerHttpLoad ledger : ledgers) {
            say("  %s:", ledger.label());
            ledger.setUp(workload, Math.min(32, settings.singleClients()), out);
        }

        var profiles = new LinkedHashMap<String, LedgerRecords.Profile>();
        for (LedgerHttpLoad ledger : ledgers) {
            say("Warming %s up (%d transfers or %d s), and measuring what it writes per transfer ...", ledger.label(),
                    settings.ledgerWarmupTransfers(), settings.stackWarmupSeconds());
            LedgerRecords.Mark before = LedgerRecords.mark(env.kafka(), ledger.ledger().topic());
            List<Workload.Transfer> warmup = runAll(ledger, workload.transfers("warmup", 0, settings.ledgerWarmupTransfers()),
                    settings.singleClients(), settings.stackWarmupSeconds());
            LedgerRecords.Profile profile = LedgerRecords.profile(env.kafka(), before, warmup,
                    new HashSet<>(workload.accountIds()));
            profiles.put(ledger.name(), profile);
            sayRecords(profile.summary());
        }
        // the limit appends what the ledger at the run's partition count writes
        LedgerRecords.Profile profile = profiles.get(env.primaryLedger().name());
        BenchResults.RecordProfile records = profile.summary();

        var resources = new ResourceSampler().watch("kafka", env.kafkaPid(), false);
        env.ledgers().forEach(l -> resources.watch(l.name(), l.pid(), false));
        resources.watch("postgres-read-model", env.readModelPostgresPid(), true)
                .watch("postgres-baseline", env.baselinePostgresPid(), true);
        var scenarios = new ArrayList<BenchResults.ScenarioResult>();
        try (var limit = new KafkaLimit(env.kafka(), profile, settings.limitProducers())) {
            if (settings.measures(limit.name())) {
                say("Warming the Kafka limit up (%d s, not measured) ...", settings.stackWarmupSeconds());
                ClosedLoop.run(limit, workload, new ClosedLoop.Plan(Scenario.SINGLE, "limit-warmup", settings.singleClients(),
                        1, settings.stackWarmupSeconds(), 1), resources);
            }
            var targets = new ArrayList<LoadTarget>(List.of(limit,
                    new PostgresBaselineLedger(env.baselineJdbcUrl(), env.baselineUser(), env.baselinePassword(),
                            PostgresBaselineLedger.Mode.AS_DEPLOYED),
                    new PostgresBaselineLedger(env.baselineJdbcUrl(), env.baselineUser(), env.baselinePassword(),
                            PostgresBaselineLedger.Mode.MATCHED)));
            targets.addAll(ledgers);
            for (Scenario scenario : settings.scenarios()) {
                if (scenario == Scenario.OPEN_LOOP) continue;
                int clients = scenario == Scenario.SINGLE ? settings.singleClients() : settings.batchClients();
                int perRequest = scenario == Scenario.SINGLE ? 1 : settings.batchSize();
                say("%nScenario %s: %d clients, %d transfer%s per request, %d s warm-up + %d s measured per system",
                        scenario.key(), clients, perRequest, perRequest == 1 ? "" : "s", settings.warmupSeconds(),
                        settings.measureSeconds(scenario));
                var plan = new ClosedLoop.Plan(scenario, scenario.key(), clients, perRequest, settings.warmupSeconds(),
                        settings.measureSeconds(scenario));
                // the ledger first: the limit then appends what it wrote in this very scenario
                var results = new HashMap<LoadTarget, BenchResults.SystemResult>();
                LedgerRecords.Profile written = null;
                for (LoadTarget target : runOrder(targets)) {
                    if (!settings.measures(target.name())) continue;
                    if (target instanceof PostgresBaselineLedger) {
                        PostgresBaselineLedger.reset(env.baselineJdbcUrl(), env.baselineUser(), env.baselinePassword(),
                                workload);
                    }
                    if (target == limit) limit.replay(written != null ? written : profile);
                    Measured m = measure(scenario, target, workload, () -> ClosedLoop.run(target, workload, plan, resources));
                    if (target.name().equals(env.primaryLedger().name())) written = m.profile();
                    results.put(target, m.result());
                }
                var systems = new ArrayList<BenchResults.SystemResult>();
                targets.stream().filter(results::containsKey).forEach(t -> systems.add(results.get(t)));
                scenarios.add(new BenchResults.ScenarioResult(scenario.key(), clients, perRequest, systems));
            }
        }
        if (settings.scenarios().contains(Scenario.OPEN_LOOP)) {
            say("%nScenario %s: %,d transfers/s offered, one per request, at most %d in flight, %d s warm-up + %d s measured "
                            + "per ledger", Scenario.OPEN_LOOP.key(), settings.openLoopRate(), settings.openLoopMaxInFlight(),
                    settings.warmupSeconds(), settings.measureSeconds());
            var plan = new OpenLoop.Plan(Scenario.OPEN_LOOP.key(), settings.openLoopRate(), settings.openLoopMaxInFlight(),
                    settings.warmupSeconds(), settings.measureSeconds());
            var systems = new ArrayList<BenchResults.SystemResult>();
            for (LedgerHttpLoad ledger : ledgers) {
                if (!settings.measures(ledger.name())) continue;
                systems.add(measure(Scenario.OPEN_LOOP, ledger, workload,
                        () -> OpenLoop.run(ledger, workload, plan, resources)).result());
            }
            scenarios.add(new BenchResults.ScenarioResult(Scenario.OPEN_LOOP.key(), settings.openLoopMaxInFlight(), 1, systems));
        }
        Double loadAtEnd = BenchMachine.loadAverage();
        var ledgersOut = env.ledgers().stream()
                .map(l -> new BenchResults.LedgerUnderTest(l.name(), l.partitions(), l.jvm())).toList();
        var settingsOut = new BenchResults.Settings(settings.quick(), settings.accounts(), settings.openingBalance(),
                settings.maxAmount(), settings.seed(), settings.singleClients(), settings.batchClients(),
                settings.batchSize(), settings.warmupSeconds(), settings.measureSeconds(),
                settings.measureSeconds(Scenario.BATCH), settings.openLoopRate(), settings.openLoopMaxInFlight(), ledgersOut,
                env.commitIntervalMs(), settings.limitProducers(), KafkaLimit.producerConfig());
        return new BenchResults(startedAt, env.revision(), BenchMachine.describe(loadAtStart, loadAtEnd), settingsOut, records,
                scenarios, headline(scenarios, records, settings.openLoopRate()));
    }

    private interface Measurement {
        BenchResults.SystemResult run() throws Exception;
    }

    /** @param profile what a ledger wrote to Kafka for the run's transfers; null for the other systems */
    private record Measured(BenchResults.SystemResult result, LedgerRecords.Profile profile) {
    }

    /** The ledger at the run's partitions first, then the others in the order of the table. */
    private List<LoadTarget> runOrder(List<LoadTarget> targets) {
        var order = new ArrayList<LoadTarget>();
        targets.stream().filter(t -> t.name().equals(env.primaryLedger().name())).forEach(order::add);
        targets.stream().filter(t -> !order.contains(t)).forEach(order::add);
        return order;
    }

    /** One system in one scenario, with what a ledger wrote to Kafka for every transfer the run submitted. */
    private Measured measure(Scenario scenario, LoadTarget target, Workload workload, Measurement measurement)
            throws Exception {
        collectGarbageOfEarlierRuns();
        Thread.sleep(PAUSE_BETWEEN_RUNS_MS);
        out.printf("  %-40s ", target.label() + " ...");
        out.flush();
        LedgerRecords.Mark before = target instanceof LedgerHttpLoad ledger
                ? LedgerRecords.mark(env.kafka(), ledger.ledger().topic()) : null;
        listener.starting(scenario, target.name());
        if (target instanceof LedgerHttpLoad ledger) ledger.streamThreadWindowStarts();
        BenchResults.SystemResult result;
        try {
            result = measurement.run();
        } finally {
            if (target instanceof LedgerHttpLoad ledger) ledger.streamThreadWindowEnds();
            listener.finished(scenario, target.name());
        }
        LedgerRecords.Profile written = null;
        if (before != null && result.transfersSubmitted() > 0) {
            // every sequence's ids are <sequence>-<index>, the scenario's key being the sequence
            written = LedgerRecords.profile(env.kafka(), before,
                    workload.isTransferId(scenario.key(), result.transfersSubmitted()),
                    new HashSet<>(workload.accountIds()), result.transfersSubmitted());
            result = result.withWritten(written.summary());
        }
        if (target instanceof LedgerHttpLoad ledger) result = result.withStreamThread(ledger.streamThread(result.transfersSubmitted()));
        say("%s", summary(result));
        return new Measured(result, written);
    }

    /**
     * A full collection of the bench JVM, outside any measured window. Reading back what a ledger wrote
     * (the warm-up's and each run's {@link LedgerRecords#profile}) leaves tens of MB alive in the young
     * generation; left there, the next run's first young collection copies them while the load generator
     * stops, 250 to 350 ms on these two busy cores, and an open loop counts that stall against every
     * request due in it. A full collection now promotes and compacts them while nothing is measured.
     */
    private static void collectGarbageOfEarlierRuns() {
        System.gc();
    }

    private void sayRecords(BenchResults.RecordProfile records) {
        say("  it writes %.2f records, %.0f bytes (%.0f B on disk), per transfer:", records.recordsPerTransfer(),
                records.bytesPerTransfer(), records.diskBytesPerTransfer());
        for (BenchResults.TopicProfile t : records.topics()) {
            say("    %-40s %6.3f records of %6.0f B (%d partitions)", t.topic(), t.recordsPerTransfer(),
                    t.meanRecordBytes(), t.partitions());
        }
    }

    /** The figures of the ledger at the run's partition count; see {@link BenchResults.Headline}. */
    static BenchResults.Headline headline(List<BenchResults.ScenarioResult> scenarios, BenchResults.RecordProfile warmup,
                                          int openLoopRate) {
        String ledger = BenchEnvironment.LEDGER;
        BenchResults.SystemResult single = result(scenarios, Scenario.SINGLE, ledger);
        BenchResults.SystemResult batch = result(scenarios, Scenario.BATCH, ledger);
        BenchResults.SystemResult openLoop = result(scenarios, Scenario.OPEN_LOOP, ledger);
        BenchResults.RecordProfile written = single != null && single.written() != null ? single.written()
                : batch != null && batch.written() != null ? batch.written() : warmup;
        boolean openLoopDecided = openLoop != null && openLoop.latencyMs().count() > 0;
        return new BenchResults.Headline(
                ratio(tps(scenarios, Scenario.SINGLE, ledger), tps(scenarios, Scenario.SINGLE, "postgres-as-deployed"), 1),
                ratio(tps(scenarios, Scenario.SINGLE, ledger), tps(scenarios, Scenario.SINGLE, "kafka-limit"), 100),
                ratio(tps(scenarios, Scenario.BATCH, ledger), tps(scenarios, Scenario.BATCH, "postgres-matched"), 1),
                ratio(tps(scenarios, Scenario.BATCH, ledger), tps(scenarios, Scenario.BATCH, "kafka-limit"), 100),
                ratio(tps(scenarios, Scenario.SINGLE, BenchEnvironment.LEDGER_ONE_PARTITION),
                        tps(scenarios, Scenario.SINGLE, "postgres-as-deployed"), 1),
                openLoopRate,
                openLoopDecided ? openLoop.latencyMs().p50() : null,
                openLoopDecided ? openLoop.latencyMs().p99() : null,
                written == null ? null : written.bytesPerTransfer(),
                written == null ? null : written.diskBytesPerTransfer(),
                written == null ? null : written.recordsPerTransfer());
    }

    private static BenchResults.SystemResult result(List<BenchResults.ScenarioResult> scenarios, Scenario scenario,
                                                    String system) {
        return scenarios.stream().filter(s -> s.scenario().equals(scenario.key()))
                .flatMap(s -> s.systems().stream()).filter(r -> r.system().equals(system)).findFirst().orElse(null);
    }

    private static Double tps(List<BenchResults.ScenarioResult> scenarios, Scenario scenario, String system) {
        BenchResults.SystemResult r = result(scenarios, scenario, system);
        return r == null ? null : r.transfersPerSecond();
    }

    private static Double ratio(Double a, Double b, double scale) {
        if (a == null || b == null || b == 0) return null;
        return ClosedLoop.round(a / b * scale, scale == 1 ? 3 : 2);
    }

    private static String summary(BenchResults.SystemResult r) {
        String text = String.format("%,10.0f transfers/s   p50 %8.2f ms   p99 %8.2f ms   max %8.1f ms",
                r.transfersPerSecond(), r.latencyMs().p50(), r.latencyMs().p99(), r.latencyMs().max());
        if (r.offeredPerSecond() != null) text += String.format("   (offered %,.0f/s)", r.offeredPerSecond());
        if (r.failed() > 0) {
            text += "   " + r.failed() + " failed" + (r.timedOut() > 0 ? " (" + r.timedOut() + " timed out)" : "") + " "
                    + r.errorSamples();
        }
        if (r.written() != null) {
            text += String.format("   wrote %.2f records, %.0f B (%.0f B on disk) per transfer",
                    r.written().recordsPerTransfer(), r.written().bytesPerTransfer(), r.written().diskBytesPerTransfer());
        }
        if (r.resources().otherProcessesCpuCores() > DISTURBED_CORES) {
            text += String.format("   (other processes used %.2f cores meanwhile: disturbed)", r.resources().otherProcessesCpuCores());
        }
        if (r.projectionLag() != null && r.projectionLag().catchUpMs() != null) {
            text += String.format("   projection caught up %.0f ms after the last answer", r.projectionLag().catchUpMs());
        }
        if (r.streamThread() != null) text += "\n      stream thread: " + StreamThreadMetrics.describe(r.streamThread());
        return text;
    }

    /**
     * The transfers through the target from {@code clients} threads, in order, until all are done or
     * the time is up: the ledger's warm-up. Returns those that were submitted, each with its outcome.
     */
    private static List<Workload.Transfer> runAll(LoadTarget target, List<Workload.Transfer> transfers, int clients,
                                                  int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(clients,
                Thread.ofPlatform().name("bench-warmup-", 0).daemon().factory());
        var next = new AtomicInteger();
        var failed = new AtomicInteger();
        try {
            var futures = new ArrayList<Future<?>>();
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(() -> {
                    try (LoadTarget.Session session = target.openSession()) {
                        int i;
                        while (System.nanoTime() < deadline && (i = next.getAndIncrement()) < transfers.size()) {
                            LoadTarget.Outcome o = session.submit(List.of(transfers.get(i)));
                            failed.addAndGet(o.failed());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get(10, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
        if (failed.get() > 0) throw new IllegalStateException(failed.get() + " warm-up transfers failed");
        return transfers.subList(0, Math.min(transfers.size(), next.get()));
    }

    private void say(String format, Object... args) {
        out.printf(format + "%n", args);
        out.flush();
    }
}
