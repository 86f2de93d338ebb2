package dev.ledger.bench;

import java.util.List;

/**
 * The knobs of a run. {@link #quickRun()} and {@link #fullRun()} are the two runs the command offers; the
 * smoke test uses {@link #tinyRun()}.
 *
 * @param ledgerWarmupTransfers  at most this many transfers through the ledger before anything is
 *                               measured: they warm it up and show what it writes per transfer (see
 *                               {@link LedgerRecords})
 * @param stackWarmupSeconds     at most this long for the ledger's warm-up, and as long again of
 *                               unmeasured Kafka-limit load: a fresh broker runs interpreted for a while
 * @param openLoopRate           transfers per second the open-loop scenario offers (see {@link OpenLoop})
 * @param openLoopMaxInFlight    requests of the open loop in flight at most; a request due while all are
 *                               taken waits, and its wait counts in its latency
 */
public record BenchSettings(
        boolean quick,
        int accounts,
        long openingBalance,
        long maxAmount,
        long seed,
        int singleClients,
        int batchClients,
        int batchSize,
        int warmupSeconds,
        int measureSeconds,
        int ledgerWarmupTransfers,
        int stackWarmupSeconds,
        int limitProducers,
        int openLoopRate,
        int openLoopMaxInFlight,
        List<Scenario> scenarios,
        List<String> systems) {

    public static final long OPENING_BALANCE = 1_000_000_000L;
    public static final long MAX_AMOUNT = 100_000L;
    public static final long SEED = 20_260_101L;
    public static final int OPEN_LOOP_RATE = 1_000;
    public static final int OPEN_LOOP_MAX_IN_FLIGHT = 512;

    public BenchSettings {
        if (singleClients < 1 || batchClients < 1 || batchSize < 1) throw new IllegalArgumentException("clients and batch size must be positive");
        if (warmupSeconds < 0 || measureSeconds < 1) throw new IllegalArgumentException("durations must be positive");
        if (openLoopRate < 1 || openLoopMaxInFlight < 1) throw new IllegalArgumentException("the open loop's rate and in-flight bound must be positive");
        scenarios = List.copyOf(scenarios);
        systems = List.copyOf(systems);
    }

    /** The systems a run measures, by {@link LoadTarget#name()}; all of them when none are named. */
    public boolean measures(String system) {
        return systems.isEmpty() || systems.contains(system);
    }

    /** A few minutes: 200 accounts, 2 s of warm-up and 5 s (batch: 10 s) measured per system and scenario. */
    public static BenchSettings quickRun() {
        return new BenchSettings(true, 200, OPENING_BALANCE, MAX_AMOUNT, SEED, 64, 4, 1000, 2, 5, 5_000, 6, 1,
                OPEN_LOOP_RATE, OPEN_LOOP_MAX_IN_FLIGHT, List.of(Scenario.values()), List.of());
    }

    /**
     * The full run: 2,000 accounts, 5 s of warm-up and 30 s (batch: 60 s) measured per system and scenario,
     * after 90 s of warming the ledger and the broker up: on 2 cores the JIT compiler of each JVM is still
     * busy for over a minute (seen with jcmd Compiler.queue), and a server runs for days.
     */
    public static BenchSettings fullRun() {
        return new BenchSettings(false, 2_000, OPENING_BALANCE, MAX_AMOUNT, SEED, 64, 4, 1000, 5, 30, 200_000, 90, 1,
                OPEN_LOOP_RATE, OPEN_LOOP_MAX_IN_FLIGHT, List.of(Scenario.values()), List.of());
    }

    /** For the smoke test: a few hundred transfers, a second or two per system, an open loop of 100/s. */
    public static BenchSettings tinyRun() {
        return new BenchSettings(true, 50, OPENING_BALANCE, MAX_AMOUNT, SEED, 8, 2, 100, 1, 1, 200, 2, 1, 100, 64,
                List.of(Scenario.values()), List.of());
    }

    /**
     * The measured window of a scenario. A batch request of 1000 takes seconds, and a window holds
     * whole requests only, so the batch scenario measures twice as long as the single one.
     */
    public int measureSeconds(Scenario scenario) {
        return scenario == Scenario.BATCH ? 2 * measureSeconds : measureSeconds;
    }

    public Workload workload() {
        return new Workload(accounts, openingBalance, maxAmount, seed);
    }

    public BenchSettings with(int accounts, int warmupSeconds, int measureSeconds) {
        return new BenchSettings(quick, accounts, openingBalance, maxAmount, seed, singleClients, batchClients, batchSize,
                warmupSeconds, measureSeconds, ledgerWarmupTransfers, stackWarmupSeconds, limitProducers, openLoopRate,
                openLoopMaxInFlight, scenarios, systems);
    }

    public BenchSettings withClients(int singleClients, int batchClients, int batchSize, int limitProducers) {
        return new BenchSettings(quick, accounts, openingBalance, maxAmount, seed, singleClients, batchClients, batchSize,
                warmupSeconds, measureSeconds, ledgerWarmupTransfers, stackWarmupSeconds, limitProducers, openLoopRate,
                openLoopMaxInFlight, scenarios, systems);
    }

    public BenchSettings withScenarios(List<Scenario> scenarios) {
        return new BenchSettings(quick, accounts, openingBalance, maxAmount, seed, singleClients, batchClients, batchSize,
                warmupSeconds, measureSeconds, ledgerWarmupTransfers, stackWarmupSeconds, limitProducers, openLoopRate,
                openLoopMaxInFlight, scenarios, systems);
    }

    public BenchSettings withSystems(List<String> systems) {
        return new BenchSettings(quick, accounts, openingBalance, maxAmount, seed, singleClients, batchClients, batchSize,
                warmupSeconds, measureSeconds, ledgerWarmupTransfers, stackWarmupSeconds, limitProducers, openLoopRate,
                openLoopMaxInFlight, scenarios, systems);
    }

    public BenchSettings withOpenLoop(int openLoopRate, int openLoopMaxInFlight) {
        return new BenchSettings(quick, accounts, openingBalance, maxAmount, seed, singleClients, batchClients, batchSize,
                warmupSeconds, measureSeconds, ledgerWarmupTransfers, stackWarmupSeconds, limitProducers, openLoopRate,
                openLoopMaxInFlight, scenarios, systems);
    }

    public BenchSettings withSeed(long seed) {
        return new BenchSettings(quick, accounts, openingBalance, maxAmount, seed, singleClients, batchClients, batchSize,
                warmupSeconds, measureSeconds, ledgerWarmupTransfers, stackWarmupSeconds, limitProducers, openLoopRate,
                openLoopMaxInFlight, scenarios, systems);
    }
}
