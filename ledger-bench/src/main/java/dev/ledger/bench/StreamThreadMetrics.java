package dev.ledger.bench;

import dev.ledger.kafka.CommandStages;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.ledger.bench.ClosedLoop.round;

/**
 * What the command processor's stream thread did during a run, read from the ledger's own
 * Prometheus scrape before and after it: how many exactly-once commits it made, how much input it
 * processed per commit, how long each commit's phases took (flushing the produced records, adding
 * the consumed offsets to the transaction, committing it), and where the thread's time went. A
 * transfer that crosses partitions waits for a few of these commits in a row, so they bound its
 * latency; the records per commit show how well a commit is shared.
 *
 * <p>The counters are cumulative ({@code *_total}), so a run's figures are the difference of two
 * scrapes. The time shares are Kafka Streams' own windowed gauges, taken at the end of the run.
 * Only the command processor's threads count (their ids hold {@code -command-}); the projection is
 * a Streams application of its own in the same JVM.
 */
final class StreamThreadMetrics {
    private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+)\\{([^}]*)} (\\S+)$");
    private static final Pattern COMMAND_THREAD = Pattern.compile("thread_id=\"[^\"]*-command-[^\"]*-StreamThread-\\d+\"");
    private static final Pattern COMMAND_PRODUCER =
            Pattern.compile("client_id=\"[^\"]*-command-[^\"]*-StreamThread-\\d+-producer\"");
    /** {@link CommandStages#METRIC} as Prometheus names a timer's series: {@code _sum}, {@code _count}, {@code _max}. */
    private static final String STAGE_SERIES = CommandStages.METRIC.replace('.', '_') + "_seconds_";
    private static final String OUTCOME_SERIES = "ledger_api_outcome_latency_seconds_";
    private static final Pattern STAGE = Pattern.compile(CommandStages.TAG + "=\"([a-z]+)\"");
    /** The API's whole time per command, from taking the request to its outcome, beside the stages. */
    static final String OUTCOME = "outcome";
    private static final double NANOS_PER_MS = 1_000_000.0;

    /**
     * The counters and gauges of one scrape, summed over the command processor's threads; and the
     * seconds and counts of each stage of a command's way ({@link CommandStages}) and of
     * the API's outcome latency ({@link #OUTCOME}), summed over their other tags.
     */
    record Snapshot(double commits, double processed, double flushNanos, double sendOffsetsNanos, double commitNanos,
                    double retriedRecords, double processRatio, double commitRatio, double pollRatio, int threads,
                    Map<String, Double> stageSeconds, Map<String, Double> stageCounts) {
    }

    private StreamThreadMetrics() {
    }

    static Snapshot read(String prometheusText) {
        double commits = 0, processed = 0, flush = 0, sendOffsets = 0, commit = 0, retried = 0;
        double processRatio = 0, commitRatio = 0, pollRatio = 0;
        int threads = 0;
        Map<String, Double> stageSeconds = new HashMap<>();
        Map<String, Double> stageCounts = new HashMap<>();
        for (String line : prometheusText.split("\n")) {
            Matcher m = SAMPLE.matcher(line.strip());
            if (!m.matches()) continue;
            String name = m.group(1);
            String labels = m.group(2);
            double value = parse(m.group(3));
            if (name.startsWith(STAGE_SERIES) || name.startsWith(OUTCOME_SERIES)) {
                Matcher stage = STAGE.matcher(labels);
                String key = name.startsWith(OUTCOME_SERIES) ? OUTCOME : stage.find() ? stage.group(1) : null;
                if (key == null) continue;
                if (name.endsWith("_sum")) stageSeconds.merge(key, value, Double::sum);
                else if (name.endsWith("_count")) stageCounts.merge(key, value, Double::sum);
            } else if (COMMAND_THREAD.matcher(labels).find()) {
                switch (name) {
                    case "kafka_stream_thread_commit_total" -> {
                        commits += value;
                        threads++;
                    }
                    case "kafka_stream_thread_process_total" -> processed += value;
                    case "kafka_stream_thread_process_ratio" -> processRatio += value;
                    case "kafka_stream_thread_commit_ratio" -> commitRatio += value;
                    case "kafka_stream_thread_poll_ratio" -> pollRatio += value;
                    default -> { }
                }
            } else if (COMMAND_PRODUCER.matcher(labels).find()) {
                switch (name) {
                    case "kafka_producer_flush_time_ns_total" -> flush += value;
                    case "kafka_producer_txn_send_offsets_time_ns_total" -> sendOffsets += value;
                    case "kafka_producer_txn_commit_time_ns_total" -> commit += value;
                    case "kafka_producer_record_retry_total" -> retried += value;
                    default -> { }
                }
            }
        }
        return new Snapshot(commits, processed, flush, sendOffsets, commit, retried, processRatio, commitRatio, pollRatio,
                threads, stageSeconds, stageCounts);
    }

    /** The run between two scrapes; null when the scrapes name no command processor thread. */
    static BenchResults.StreamThread between(Snapshot before, Snapshot after, double seconds, long transfers) {
        if (after.threads() == 0 || seconds <= 0) return null;
        double commits = after.commits() - before.commits();
        double perCommit = commits > 0 ? 1 / commits : 0;
        return new BenchResults.StreamThread(after.threads(), round(commits / seconds, 1),
                round((after.processed() - before.processed()) * perCommit, 1), round(transfers * perCommit, 1),
                round((after.flushNanos() - before.flushNanos()) * perCommit / NANOS_PER_MS, 2),
                round((after.sendOffsetsNanos() - before.sendOffsetsNanos()) * perCommit / NANOS_PER_MS, 2),
                round((after.commitNanos() - before.commitNanos()) * perCommit / NANOS_PER_MS, 2),
                round((after.retriedRecords() - before.retriedRecords()) * perCommit, 2),
                round(share(after.processRatio(), after.threads()), 3), round(share(after.commitRatio(), after.threads()), 3),
                round(share(after.pollRatio(), after.threads()), 3), stages(before, after));
    }

    /** The mean milliseconds per command of each stage in the window; a stage with no command in it is left out. */
    private static Map<String, Double> stages(Snapshot before, Snapshot after) {
        Map<String, Double> means = new TreeMap<>();
        after.stageCounts().forEach((stage, count) -> {
            double commands = count - before.stageCounts().getOrDefault(stage, 0.0);
            double seconds = after.stageSeconds().getOrDefault(stage, 0.0) - before.stageSeconds().getOrDefault(stage, 0.0);
            if (commands > 0) means.put(stage, round(seconds * 1000 / commands, 2));
        });
        return means;
    }

    /** A formatted line: the figures of {@link BenchResults.StreamThread}, for the run's log and the report. */
    static String describe(BenchResults.StreamThread t) {
        return String.format(Locale.ROOT, "%.0f commits/s, %.0f records and %.0f transfers per commit; per commit: "
                        + "flush %.1f ms, offsets %.1f ms, commit %.1f ms, %.2f records retried; "
                        + "thread time: process %.0f%%, commit %.0f%%, poll %.0f%%; mean ms per command by stage: %s",
                t.commitsPerSecond(), t.recordsPerCommit(), t.transfersPerCommit(), t.flushMsPerCommit(),
                t.sendOffsetsMsPerCommit(), t.commitMsPerCommit(), t.retriedRecordsPerCommit(), t.processShare() * 100,
                t.commitShare() * 100, t.pollShare() * 100, t.stageMeanMs());
    }

    private static double share(double sum, int threads) {
        return threads == 0 || Double.isNaN(sum) ? 0 : sum / threads;
    }

    private static double parse(String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
