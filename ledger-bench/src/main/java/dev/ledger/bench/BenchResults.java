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
        Headline headline) {

    /** Where it ran. {@code loadAverage*}: the 1-minute load average, to show whether the machine was quiet. */
    public record Machine(String hostname, int cpus, String cpuModel, long memoryMb, String os, String jdk,
                          String jvmArgs, Double loadAverageAtStart, Double loadAverageAtEnd) {
    }

    public record Settings(boolean quick, int accounts, long openingBalance, long maxAmount, long seed,
                           int singleClients, int batchClients, int batchSize, int warmupSeconds, int measureSeconds,
                           int batchMeasureSeconds, int openLoopRate, int openLoopMaxInFlight,
                           List<LedgerUnderTest> ledgers, long ledgerCommitIntervalMs, int limitProducers,
                           Map<String, String> limitProducerConfig) {
    }

    /** A ledger the run measured: its system name, partitions, and how its JVM ran ("child JVM -Xmx1g"). */
    public record LedgerUnderTest(String system, int partitions, String jvm) {
    }

    /**
     * What a ledger wrote to Kafka per transfer, every topic (changelogs included), per topic: records
     * and bytes (key + value + headers, uncompressed) divided by the transfers that caused them, and the
     * bytes the topics' logs grew by on disk (compressed batches, batch headers and transaction markers
     * included: what the broker stores), divided the same way. During
     * the warm-up for {@link BenchResults#ledgerRecords} (the limit appends the same), and over a whole
     * measured run for {@link SystemResult#written}.
     */
    public record RecordProfile(int sampledTransfers, double recordsPerTransfer, double bytesPerTransfer,
                                double diskBytesPerTransfer, List<TopicProfile> topics) {
    }

    /** {@code bytes}: key + value + headers, uncompressed, per record on average. */
    public record TopicProfile(String topic, int partitions, double recordsPerTransfer, double meanRecordBytes) {
    }

    public record ScenarioResult(String scenario, int clients, int transfersPerRequest, List<SystemResult> systems) {
    }

    /**
     * One system in one scenario. {@code offeredPerSecond}: the open loop's constant rate (null in a
     * closed loop); {@code timedOut}: open loop, requests without an outcome when the run's time was up
     * (counted in {@code failed} too); {@code transfersSubmitted}: every transfer handed to the system,
     * warm-up and tail included; {@code written}: ledger only, what it wrote to Kafka for them.
     */
    public record SystemResult(
            String system,
            String label,
            String description,
            double measuredSeconds,
            long requests,
            long completed,
            long rejected,
            long failed,
            Double offeredPerSecond,
            long timedOut,
            long transfersSubmitted,
            RecordProfile written,
            double transfersPerSecond,
            Latency latencyMs,
            ProjectionLag projectionLag,
            Resources resources,
            Double loadAverageBefore,
            List<String> errorSamples,
            List<Point> timeline,
            StreamThread streamThread) {

        public SystemResult withWritten(RecordProfile profile) {
            return new SystemResult(system, label, description, measuredSeconds, requests, completed, rejected, failed,
                    offeredPerSecond, timedOut, transfersSubmitted, profile, transfersPerSecond, latencyMs, projectionLag,
                    resources, loadAverageBefore, errorSamples, timeline, streamThread);
        }

        public SystemResult withStreamThread(StreamThread thread) {
            return new SystemResult(system, label, description, measuredSeconds, requests, completed, rejected, failed,
                    offeredPerSecond, timedOut, transfersSubmitted, written, transfersPerSecond, latencyMs, projectionLag,
                    resources, loadAverageBefore, errorSamples, timeline, thread);
        }
    }

    /**
     * Ledger only: the command processor's stream thread over a run, warm-up included (see
     * {@link StreamThreadMetrics}). Every exactly-once commit flushes what the thread produced, adds the
     * consumed offsets to the transaction and commits it; a hop of a transfer to another partition
     * waits for one such commit before the next partition can read it.
     *
     * @param threads               the command processor's stream threads, summed over
     * @param recordsPerCommit      input records processed per commit
     * @param transfersPerCommit    transfers submitted in the run per commit
     * @param flushMsPerCommit      waiting for the broker to acknowledge the produced records
     * @param retriedRecordsPerCommit records the producer sent again (a produce answered with a retriable
     *                              error, such as CONCURRENT_TRANSACTIONS right after the previous commit)
     * @param processShare          share of the thread's time in processing (Kafka Streams' ratio, at the end)
     * @param stageMeanMs           per stage of a command's way (queued, acknowledged, fetched, committed, and
     *                              the API's whole outcome latency), its mean milliseconds per command in the run
     */
    public record StreamThread(int threads, double commitsPerSecond, double recordsPerCommit, double transfersPerCommit,
                               double flushMsPerCommit, double sendOffsetsMsPerCommit, double commitMsPerCommit,
                               double retriedRecordsPerCommit, double processShare, double commitShare, double pollShare,
                               Map<String, Double> stageMeanMs) {
    }

    public record Latency(double p50, double p90, double p99, double p999, double max, double mean, long count) {
    }

    /** One second of a run: outcomes known in it, their p99 latency, the largest projection lag probed in it. */
    public record Point(int t, long transfers, Double p99Ms, Double projectionLagMs) {
    }

    /**
     * CPU in cores (CPU seconds per second of wall time) and memory in MB, per process, over the
     * measured window: "jvm" is the bench's own (the load generator, and a ledger run inside it), each
     * ledger in a JVM of its own is listed by its system name, then "kafka" and the PostgreSQL servers.
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

    /**
     * The figures the bench prints as lines a script can read (see {@link BenchReport#scriptLines()}),
     * all of the ledger at the run's partition count ({@link BenchEnvironment#LEDGER}); null when not measured.
     *
     * @param singleOverBaseline      single scenario, transfers/s: ledger / PostgreSQL as deployed
     * @param singleOverLimitPercent  single scenario: ledger / Kafka limit, in percent
     * @param batchOverMatched        batch scenario: ledger / PostgreSQL with matched durability
     * @param batchOverLimitPercent   batch scenario: ledger / Kafka limit, in percent
     * @param onePartitionSingleOverBaseline the same as the first, of the ledger at one partition
     * @param openLoopRate            the open loop's offered transfers/s
     * @param openLoopP50Ms           open loop, from each request's intended send time to its final outcome
     * @param openLoopP99Ms           the same, p99
     * @param bytesPerTransfer        written to Kafka, every topic, over the single scenario's run (else the
     *                                batch scenario's, else the warm-up's)
     * @param diskBytesPerTransfer    the same, as the logs grew on disk (compressed, with batch headers
     *                                and transaction markers)
     * @param recordsPerTransfer      the same, records
     */
    public record Headline(Double singleOverBaseline, Double singleOverLimitPercent, Double batchOverMatched,
                           Double batchOverLimitPercent, Double onePartitionSingleOverBaseline, int openLoopRate,
                           Double openLoopP50Ms, Double openLoopP99Ms, Double bytesPerTransfer,
                           Double diskBytesPerTransfer, Double recordsPerTransfer) {
    }
}
