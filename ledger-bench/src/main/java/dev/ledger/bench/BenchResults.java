package dev.ledger.bench;

import java.util.List;
import java.util.Map;

/** Everything one bench run measured: what results.json holds and the report is drawn from. */
public record BenchResults(
        String startedAt,
        String revision,
        Machine machine,
        Settings settings,
        RecordProfile ledgerRecords,
        List<ScenarioResult> scenarios,
        Ratios ratios) {

    /** Where it ran. {@code loadAverage*}: the 1-minute load average, to show whether the machine was quiet. */
    public record Machine(String hostname, int cpus, String cpuModel, long memoryMb, String os, String jdk,
                          String jvmArgs, Double loadAverageAtStart, Double loadAverageAtEnd) {
    }

    public record Settings(boolean quick, int accounts, long openingBalance, long maxAmount, long seed,
                           int singleClients, int batchClients, int batchSize, int warmupSeconds, int measureSeconds,
                           int batchMeasureSeconds,
                           int partitions, long ledgerCommitIntervalMs, int limitProducers,
                           Map<String, String> limitProducerConfig) {
    }

    /** What the ledger wrote per transfer during the warm-up, per topic: the limit appends the same. */
    public record RecordProfile(int sampledTransfers, double recordsPerTransfer, double bytesPerTransfer,
                                List<TopicProfile> topics) {
    }

    /** {@code bytes}: key + value + headers, uncompressed, per record on average. */
    public record TopicProfile(String topic, int partitions, double recordsPerTransfer, double meanRecordBytes) {
    }

    public record ScenarioResult(String scenario, int clients, int transfersPerRequest, List<SystemResult> systems) {
    }

    public record SystemResult(
            String system,
            String label,
            String description,
            double measuredSeconds,
            long requests,
            long completed,
            long rejected,
            long failed,
            double transfersPerSecond,
            Latency latencyMs,
            ProjectionLag projectionLag,
            Resources resources,
            Double loadAverageBefore,
            List<String> errorSamples,
            List<Point> timeline) {
    }

    public record Latency(double p50, double p90, double p99, double p999, double max, double mean, long count) {
    }

    /** One second of a run: outcomes known in it, their p99 latency, the largest projection lag probed in it. */
    public record Point(int t, long transfers, Double p99Ms, Double projectionLagMs) {
    }

    /**
     * CPU in cores (CPU seconds per second of wall time) and memory in MB, per process, over the
     * measured window. The bench JVM holds the load generator too (and, for the ledger, the ledger).
     * {@code otherProcessesCpuCores}: what every other process on the machine used meanwhile; more
     * than a few tenths means the run shared the CPUs and its figures are low.
     */
    public record Resources(Map<String, Double> cpuCores, Map<String, Double> maxRssMb, double maxHeapUsedMb,
                            double otherProcessesCpuCores) {
        public double totalCpuCores() {
            return cpuCores.values().stream().mapToDouble(Double::doubleValue).sum();
        }
    }

    /**
     * Ledger only. {@code duringLoad*}: probes during the load, each the time from a write's answer
     * until a read with its Ledger-Position succeeded. {@code catchUpMs}: after the last answer,
     * until the read model showed every account at the last position any answer named.
     */
    public record ProjectionLag(long probes, Double duringLoadP50Ms, Double duringLoadP99Ms, Double duringLoadMaxMs,
                                Double catchUpMs) {
    }

    /** The headline figures: single scenario, ledger against the as-deployed baseline and the limit. */
    public record Ratios(Double ledgerOverBaseline, Double ledgerOverLimitPercent,
                         Double batchLedgerOverBaselineMatched, Double batchLedgerOverLimitPercent) {
    }
}
