package dev.ledger.bench;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.common.TopicPartition;

/**
 * One bench run: the same workload through the Kafka limit, the PostgreSQL baseline (as deployed,
 * then with matched durability) and the ledger, one after the other on the same machine, for each
 * scenario. Prints a line per step.
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
        var ledger = new LedgerHttpLoad(env.ledgerApi(), env.ledgerApiKey());

        say("Setting up %d accounts in the ledger and in the PostgreSQL baseline (load average %s) ...",
                settings.accounts(), loadAtStart);
        PostgresBaselineLedger.install(env.baselineJdbcUrl(), env.baselineUser(), env.baselinePassword(), workload);
        ledger.setUp(workload, Math.min(32, settings.singleClients()), out);

        say("Warming the ledger up (%d transfers or %d s), and measuring what it writes per transfer ...",
                settings.ledgerWarmupTransfers(), settings.stackWarmupSeconds());
        Map<TopicPartition, Long> before = LedgerRecords.endOffsets(env.bootstrapServers(), env.ledgerTopic());
        List<Workload.Transfer> warmup = runAll(ledger, workload.transfers("warmup", 0, settings.ledgerWarmupTransfers()),
                settings.singleClients(), settings.stackWarmupSeconds());
        LedgerRecords.Profile profile = LedgerRecords.profile(env.bootstrapServers(), before, warmup,
                new HashSet<>(workload.accountIds()));
        BenchResults.RecordProfile records = profile.summary();
        say("  the ledger writes %.1f records, %.0f bytes, per transfer:", records.recordsPerTransfer(),
                records.bytesPerTransfer());
        for (BenchResults.TopicProfile t : records.topics()) {
            say("    %-40s %5.2f records of %5.0f B (%d partitions)", t.topic(), t.recordsPerTransfer(),
                    t.meanRecordBytes(), t.partitions());
        }

        var resources = new ResourceSampler()
                .watch("kafka", env.kafkaPid(), false)
                .watch("postgres-read-model", env.readModelPostgresPid(), true)
                .watch("postgres-baseline", env.baselinePostgresPid(), true);
        var scenarios = new ArrayList<BenchResults.ScenarioResult>();
        try (var limit = new KafkaLimit(env.bootstrapServers(), profile, settings.limitProducers())) {
            if (settings.measures(limit.name())) {
                say("Warming the Kafka limit up (%d s, not measured) ...", settings.stackWarmupSeconds());
                ClosedLoop.run(limit, workload, new ClosedLoop.Plan(Scenario.SINGLE, "limit-warmup", settings.singleClients(),
                        1, settings.stackWarmupSeconds(), 1), resources);
            }
            List<LoadTarget> targets = List.of(limit,
                    new PostgresBaselineLedger(env.baselineJdbcUrl(), env.baselineUser(), env.baselinePassword(),
                            PostgresBaselineLedger.Mode.AS_DEPLOYED),
                    new PostgresBaselineLedger(env.baselineJdbcUrl(), env.baselineUser(), env.baselinePassword(),
                            PostgresBaselineLedger.Mode.MATCHED),
                    ledger);
            for (Scenario scenario : settings.scenarios()) {
                int clients = scenario == Scenario.SINGLE ? settings.singleClients() : settings.batchClients();
                int perRequest = scenario == Scenario.SINGLE ? 1 : settings.batchSize();
                say("%nScenario %s: %d clients, %d transfer%s per request, %d s warm-up + %d s measured per system",
                        scenario.key(), clients, perRequest, perRequest == 1 ? "" : "s", settings.warmupSeconds(),
                        settings.measureSeconds(scenario));
                var plan = new ClosedLoop.Plan(scenario, scenario.key(), clients, perRequest, settings.warmupSeconds(),
                        settings.measureSeconds(scenario));
                var systems = new ArrayList<BenchResults.SystemResult>();
                for (LoadTarget target : targets) {
                    if (!settings.measures(target.name())) continue;
                    if (target instanceof PostgresBaselineLedger) {
                        PostgresBaselineLedger.reset(env.baselineJdbcUrl(), env.baselineUser(), env.baselinePassword(),
                                workload);
                    }
                    Thread.sleep(PAUSE_BETWEEN_RUNS_MS);
                    out.printf("  %-40s ", target.label() + " ...");
                    out.flush();
                    listener.starting(scenario, target.name());
                    BenchResults.SystemResult result;
                    try {
                        result = ClosedLoop.run(target, workload, plan, resources);
                        systems.add(result);
                        say("%s", summary(result));
                    } finally {
                        listener.finished(scenario, target.name());
                    }
                }
                scenarios.add(new BenchResults.ScenarioResult(scenario.key(), clients, perRequest, systems));
            }
        }
        Double loadAtEnd = BenchMachine.loadAverage();
        var settingsOut = new BenchResults.Settings(settings.quick(), settings.accounts(), settings.openingBalance(),
                settings.maxAmount(), settings.seed(), settings.singleClients(), settings.batchClients(),
                settings.batchSize(), settings.warmupSeconds(), settings.measureSeconds(),
                settings.measureSeconds(Scenario.BATCH), env.partitions(),
                env.commitIntervalMs(), settings.limitProducers(), KafkaLimit.producerConfig());
        return new BenchResults(startedAt, env.revision(), BenchMachine.describe(loadAtStart, loadAtEnd), settingsOut, records,
                scenarios, ratios(scenarios));
    }

    static BenchResults.Ratios ratios(List<BenchResults.ScenarioResult> scenarios) {
        Double ledgerOverBaseline = null;
        Double ledgerOverLimit = null;
        Double batchOverMatched = null;
        Double batchOverLimit = null;
        for (BenchResults.ScenarioResult s : scenarios) {
            Double ledger = tps(s, "ledger");
            if (s.scenario().equals(Scenario.SINGLE.key())) {
                ledgerOverBaseline = ratio(ledger, tps(s, "postgres-as-deployed"), 1);
                ledgerOverLimit = ratio(ledger, tps(s, "kafka-limit"), 100);
            } else if (s.scenario().equals(Scenario.BATCH.key())) {
                batchOverMatched = ratio(ledger, tps(s, "postgres-matched"), 1);
                batchOverLimit = ratio(ledger, tps(s, "kafka-limit"), 100);
            }
        }
        return new BenchResults.Ratios(ledgerOverBaseline, ledgerOverLimit, batchOverMatched, batchOverLimit);
    }

    private static Double tps(BenchResults.ScenarioResult s, String system) {
        return s.systems().stream().filter(r -> r.system().equals(system)).findFirst()
                .map(BenchResults.SystemResult::transfersPerSecond).orElse(null);
    }

    private static Double ratio(Double a, Double b, double scale) {
        if (a == null || b == null || b == 0) return null;
        return ClosedLoop.round(a / b * scale, scale == 1 ? 3 : 2);
    }

    private static String summary(BenchResults.SystemResult r) {
        String text = String.format("%,10.0f transfers/s   p50 %8.2f ms   p99 %8.2f ms   max %8.1f ms",
                r.transfersPerSecond(), r.latencyMs().p50(), r.latencyMs().p99(), r.latencyMs().max());
        if (r.failed() > 0) text += "   " + r.failed() + " failed " + r.errorSamples();
        if (r.resources().otherProcessesCpuCores() > DISTURBED_CORES) {
            text += String.format("   (other processes used %.2f cores meanwhile: disturbed)", r.resources().otherProcessesCpuCores());
        }
        if (r.projectionLag() != null && r.projectionLag().catchUpMs() != null) {
            text += String.format("   projection caught up %.0f ms after the last answer", r.projectionLag().catchUpMs());
        }
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
