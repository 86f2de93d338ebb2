package dev.ledger.bench;

import dev.ledger.kafka.CommandStages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * What a run tells: a table per scenario, the lines a script reads, and the files - results.json (every
 * figure, with the per-second timelines), bench.md (ready to paste into BENCHMARKS.md) and chart.png.
 */
public final class BenchReport {
    public static final String JSON_FILE = "results.json";
    public static final String MARKDOWN_FILE = "bench.md";
    public static final String CHART_FILE = "chart.png";

    private final BenchResults results;

    public BenchReport(BenchResults results) {
        this.results = results;
    }

    /**
     * The lines a script reads, one figure each, of the ledger at the run's partition count ("n/a" when
     * not measured): {@code single: ledger/baseline = <x>} (against PostgreSQL as deployed),
     * {@code batch: ledger/baseline(matched) = <x>}, {@code open-loop <rate>/s: p50 = <ms> p99 = <ms>},
     * {@code bytes/transfer = <n>} and {@code records/transfer = <n>} (everything it wrote to Kafka, every
     * topic and changelog, over the single scenario's run), {@code disk bytes/transfer = <n>} (what the
     * logs grew by on disk meanwhile); then the same against the limit, and the ledger at one partition.
     */
    public List<String> scriptLines() {
        BenchResults.Headline h = results.headline();
        return List.of(
                "single: ledger/baseline = " + num("%.2f", h.singleOverBaseline()),
                "batch: ledger/baseline(matched) = " + num("%.2f", h.batchOverMatched()),
                "open-loop " + h.openLoopRate() + "/s: p50 = " + num("%.1f", h.openLoopP50Ms()) + " p99 = "
                        + num("%.1f", h.openLoopP99Ms()),
                "bytes/transfer = " + num("%.0f", h.bytesPerTransfer()),
                "records/transfer = " + num("%.2f", h.recordsPerTransfer()),
                "disk bytes/transfer = " + num("%.0f", h.diskBytesPerTransfer()),
                "single: ledger/limit = " + num("%.1f", h.singleOverLimitPercent()) + "%",
                "batch: ledger/limit = " + num("%.1f", h.batchOverLimitPercent()) + "%",
                "single: ledger(1 partition)/baseline = " + num("%.2f", h.onePartitionSingleOverBaseline()));
    }

    /** A table per scenario, then the script lines: what the command prints at the end. */
    public String text() {
        var text = new StringBuilder();
        for (BenchResults.ScenarioResult s : results.scenarios()) {
            text.append('\n').append(scenarioTitle(s)).append('\n').append(table(s));
        }
        text.append('\n');
        scriptLines().forEach(l -> text.append(l).append('\n'));
        return text.toString();
    }

    private String scenarioTitle(BenchResults.ScenarioResult s) {
        if (s.scenario().equals(Scenario.OPEN_LOOP.key())) {
            return "Scenario " + s.scenario() + ": " + fmt("%,d", results.settings().openLoopRate())
                    + " transfers/s offered at a constant rate, one per request, at most " + s.clients()
                    + " in flight; latency from each request's intended send time";
        }
        return "Scenario " + s.scenario() + ": " + s.clients() + " clients, " + s.transfersPerRequest()
                + (s.transfersPerRequest() == 1 ? " transfer" : " transfers") + " per request";
    }

    /** A Markdown table, padded so that it also reads well in a terminal. */
    public String table(BenchResults.ScenarioResult s) {
        boolean openLoop = s.scenario().equals(Scenario.OPEN_LOOP.key());
        var rows = new ArrayList<List<String>>();
        var header = new ArrayList<>(List.of("system", "transfers/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "failed"));
        if (openLoop) {
            header.add(1, "offered/s");
            header.add("timed out");
        }
        header.addAll(List.of("projection lag p99 / catch-up ms", "Kafka per transfer: records / B",
                "CPU cores: total (bench JVM + ledger + Kafka + PG)", "RSS MB: bench JVM / ledger / Kafka / PG"));
        rows.add(header);
        for (BenchResults.SystemResult r : s.systems()) {
            BenchResults.Latency l = r.latencyMs();
            var row = new ArrayList<>(List.of(r.label(), fmt("%,.0f", r.transfersPerSecond()), ms(l.p50()), ms(l.p99()),
                    ms(l.p999()), ms(l.max()), Long.toString(r.failed())));
            if (openLoop) {
                row.add(1, r.offeredPerSecond() == null ? "-" : fmt("%,.0f", r.offeredPerSecond()));
                row.add(Long.toString(r.timedOut()));
            }
            row.addAll(List.of(lag(r.projectionLag()), written(r.written()), cpu(r.resources()), rss(r)));
            rows.add(row);
        }
        int[] widths = new int[rows.getFirst().size()];
        rows.forEach(row -> {
            for (int i = 0; i < row.size(); i++) widths[i] = Math.max(widths[i], row.get(i).length());
        });
        var out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            out.append('|');
            for (int i = 0; i < widths.length; i++) {
                String cell = rows.get(r).get(i);
                boolean left = i == 0;
                out.append(' ').append(left ? pad(cell, widths[i], true) : pad(cell, widths[i], false)).append(" |");
            }
            out.append('\n');
            if (r == 0) {
                out.append('|');
                for (int i = 0; i < widths.length; i++) {
                    out.append(i == 0 ? ":" : "-").append("-".repeat(widths[i])).append(i == 0 ? "-|" : ":|");
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    public String markdown(String commandLine) {
        BenchResults.Machine m = results.machine();
        BenchResults.Settings st = results.settings();
        var md = new StringBuilder();
        md.append("## Results of `").append(commandLine).append("` (").append(results.startedAt()).append(")\n\n");
        md.append("Code measured: ").append(results.revision()).append(".\n\n");
        md.append("Machine: ").append(m.cpus()).append(" CPUs (").append(m.cpuModel()).append("), ")
                .append(fmt("%,d", m.memoryMb())).append(" MB RAM, ").append(m.os()).append("; ").append(m.jdk())
                .append(". Load average (1 min) ").append(m.loadAverageAtStart()).append(" at the start, ")
                .append(m.loadAverageAtEnd()).append(" at the end.\n\n");
        md.append("Workload: ").append(fmt("%,d", st.accounts())).append(" accounts holding ")
                .append(fmt("%,d", st.openingBalance())).append(" each, amounts uniform in 1..")
                .append(fmt("%,d", st.maxAmount())).append(", seed ").append(st.seed()).append("; ")
                .append(st.warmupSeconds()).append(" s warm-up and ").append(st.measureSeconds())
                .append(" s (batch: ").append(st.batchMeasureSeconds())
                .append(" s) measured per system and scenario; open loop: ").append(fmt("%,d", st.openLoopRate()))
                .append(" transfers/s offered, at most ").append(st.openLoopMaxInFlight()).append(" in flight. Ledgers: ");
        for (int i = 0; i < st.ledgers().size(); i++) {
            BenchResults.LedgerUnderTest l = st.ledgers().get(i);
            md.append(i == 0 ? "" : "; ").append("`").append(l.system()).append("` ").append(l.partitions())
                    .append(l.partitions() == 1 ? " partition, " : " partitions, ").append(l.jvm());
        }
        md.append("; commit.interval.ms ").append(st.ledgerCommitIntervalMs()).append(".\n\n");
        md.append("```\n");
        scriptLines().forEach(l -> md.append(l).append('\n'));
        md.append("```\n\n");
        for (BenchResults.ScenarioResult s : results.scenarios()) {
            md.append("### ").append(scenarioTitle(s)).append("\n\n").append(table(s)).append('\n');
            for (BenchResults.SystemResult r : s.systems()) {
                md.append("- ").append(r.label()).append(": ").append(r.description()).append(fmt(
                        " (%,d completed, %,d rejected in %.1f s; load average before: %s; other processes: %.2f cores)",
                        r.completed(), r.rejected(), r.measuredSeconds(), r.loadAverageBefore(),
                        r.resources().otherProcessesCpuCores())).append('\n');
            }
            md.append('\n');
        }
        appendStreamThreads(md);
        appendCommandStages(md);
        BenchResults.RecordProfile p = results.ledgerRecords();
        md.append("### What the ledger at ").append(st.ledgers().getFirst().partitions())
                .append(" partitions writes per transfer (measured on ").append(fmt("%,d", p.sampledTransfers()))
                .append(" warm-up transfers; the limit appends the same)\n\n");
        md.append("| topic | partitions | records per transfer | mean record bytes |\n|:--|--:|--:|--:|\n");
        for (BenchResults.TopicProfile t : p.topics()) {
            md.append("| ").append(t.topic()).append(" | ").append(t.partitions()).append(" | ")
                    .append(fmt("%.2f", t.recordsPerTransfer())).append(" | ").append(fmt("%.0f", t.meanRecordBytes()))
                    .append(" |\n");
        }
        md.append(fmt("| **total** | | **%.2f** | %.0f B per transfer |%n%n", p.recordsPerTransfer(), p.bytesPerTransfer()));
        md.append(fmt("On disk the topics' logs grew by %.0f B per transfer meanwhile: the producers compress each "
                + "batch, and batch headers and transaction markers come on top.%n%n", p.diskBytesPerTransfer()));
        md.append("Limit producer settings: ").append(st.limitProducerConfig()).append(", ").append(st.limitProducers())
                .append(" producer(s).\n\n");
        md.append("![throughput and p99 latency per second](").append(CHART_FILE).append(")\n");
        return md.toString();
    }

    /** Per ledger run: the command processor's commits, what each carried and cost, and where its thread's time went. */
    private void appendStreamThreads(StringBuilder md) {
        var rows = new StringBuilder();
        for (BenchResults.ScenarioResult s : results.scenarios()) {
            for (BenchResults.SystemResult r : s.systems()) {
                BenchResults.StreamThread t = r.streamThread();
                if (t == null) continue;
                rows.append(fmt("| %s | %s | %.0f | %.0f | %.0f | %.1f / %.1f / %.1f | %.2f | %.0f%% / %.0f%% / %.0f%% |%n",
                        s.scenario(), r.label(), t.commitsPerSecond(), t.recordsPerCommit(), t.transfersPerCommit(),
                        t.flushMsPerCommit(), t.sendOffsetsMsPerCommit(), t.commitMsPerCommit(),
                        t.retriedRecordsPerCommit(), t.processShare() * 100,
                        t.commitShare() * 100, t.pollShare() * 100));
            }
        }
        if (rows.isEmpty()) return;
        md.append("### The command processor's stream thread in each run (warm-up included; Kafka Streams' own metrics)\n\n");
        md.append("| scenario | system | commits/s | input records per commit | transfers per commit "
                + "| ms per commit: flush / offsets / commit | records retried per commit | thread time: process / commit / poll |\n");
        md.append("|:--|:--|--:|--:|--:|--:|--:|--:|\n").append(rows).append('\n');
    }

    /**
     * Per ledger run: where a command's time went, as means per command (the ledger's own timers, warm-up
     * included), beside what the load generator measured; what the client saw beyond the API's outcome
     * latency is the HTTP exchange and the client itself.
     */
    private void appendCommandStages(StringBuilder md) {
        var rows = new StringBuilder();
        for (BenchResults.ScenarioResult s : results.scenarios()) {
            for (BenchResults.SystemResult r : s.systems()) {
                BenchResults.StreamThread t = r.streamThread();
                if (t == null || t.stageMeanMs() == null || t.stageMeanMs().isEmpty()) continue;
                Map<String, Double> ms = t.stageMeanMs();
                Double outcome = ms.get(StreamThreadMetrics.OUTCOME);
                rows.append(fmt("| %s | %s | %.1f | %s | %s | %s | %s | %s | %s |%n", s.scenario(), r.label(),
                        r.latencyMs().mean(), stage(ms, CommandStages.QUEUED), stage(ms, CommandStages.ACKNOWLEDGED),
                        stage(ms, CommandStages.FETCHED), stage(ms, CommandStages.COMMITTED), stage(ms, StreamThreadMetrics.OUTCOME),
                        outcome == null ? "-" : fmt("%.1f", r.latencyMs().mean() - outcome)));
            }
        }
        if (rows.isEmpty()) return;
        md.append("### Where a command's time went (mean ms per command; the ledger's own timers, warm-up included)\n\n");
        md.append("`queued`: in the API until its record went to the producer; `acknowledged`: from there to the broker's "
                + "acknowledgement; `fetched`: from the record's timestamp to the processor deciding it; `committed`: from "
                + "the decision of the first command of its commit to the API reading the answer; `API outcome`: the API's "
                + "whole time, request taken to outcome; the client's time beyond it is the HTTP exchange.\n\n");
        md.append("| scenario | system | client latency | queued | acknowledged | fetched | committed | API outcome "
                + "| client beyond the API |\n");
        md.append("|:--|:--|--:|--:|--:|--:|--:|--:|--:|\n").append(rows).append('\n');
    }

    private static String stage(Map<String, Double> meanMs, String stage) {
        Double ms = meanMs.get(stage);
        return ms == null ? "-" : fmt("%.1f", ms);
    }

    /** Writes results.json, bench.md and chart.png into {@code dir}. */
    public void write(Path dir, String commandLine) throws IOException {
        Files.createDirectories(dir);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve(JSON_FILE).toFile(), results);
        Files.writeString(dir.resolve(MARKDOWN_FILE), markdown(commandLine));
        BenchChart.write(results, dir.resolve(CHART_FILE));
    }

    private static String lag(BenchResults.ProjectionLag lag) {
        if (lag == null) return "-";
        return (lag.duringLoadP99Ms() == null ? "n/a" : fmt("%.0f", lag.duringLoadP99Ms())) + " / "
                + (lag.catchUpMs() == null ? "n/a" : fmt("%.0f", lag.catchUpMs()));
    }

    private static String written(BenchResults.RecordProfile p) {
        return p == null ? "-" : fmt("%.2f / %.0f", p.recordsPerTransfer(), p.bytesPerTransfer());
    }

    /** Ledgers in JVMs of their own are keyed by their system names; all of them count as "ledger". */
    private static String cpu(BenchResults.Resources r) {
        Map<String, Double> c = r.cpuCores();
        double pg = c.getOrDefault("postgres-read-model", 0.0) + c.getOrDefault("postgres-baseline", 0.0);
        double ledgers = c.entrySet().stream().filter(e -> e.getKey().startsWith(BenchEnvironment.LEDGER))
                .mapToDouble(Map.Entry::getValue).sum();
        return fmt("%.2f (%.2f + %.2f + %.2f + %.2f)", r.totalCpuCores(), c.getOrDefault("jvm", 0.0), ledgers,
                c.getOrDefault("kafka", 0.0), pg);
    }

    /** The ledger's RSS is the row's own ledger's; "in JVM" when it runs inside the bench's JVM. */
    private static String rss(BenchResults.SystemResult row) {
        Map<String, Double> m = row.resources().maxRssMb();
        double pg = m.getOrDefault("postgres-read-model", 0.0) + m.getOrDefault("postgres-baseline", 0.0);
        boolean ledgerRow = row.system().startsWith(BenchEnvironment.LEDGER);
        String ledger = !ledgerRow ? "-" : m.containsKey(row.system()) ? fmt("%.0f", m.get(row.system())) : "in JVM";
        return fmt("%.0f / %s / %.0f / %.0f", m.getOrDefault("jvm", 0.0), ledger, m.getOrDefault("kafka", 0.0), pg);
    }

    private static String num(String format, Double value) {
        return value == null ? "n/a" : fmt(format, value);
    }

    private static String ms(double value) {
        return value >= 100 ? fmt("%,.0f", value) : value >= 10 ? fmt("%.1f", value) : fmt("%.2f", value);
    }

    private static String pad(String s, int width, boolean left) {
        if (s.length() >= width) return s;
        String spaces = " ".repeat(width - s.length());
        return left ? s + spaces : spaces + s;
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
