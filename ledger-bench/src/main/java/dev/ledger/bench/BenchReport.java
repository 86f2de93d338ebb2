package dev.ledger.bench;

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
 * What a run tells: the two headline ratios, a table per scenario, and the files - results.json (every
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

    /** {@code ledger/baseline = <x>} and {@code ledger/limit = <percent>%}: single scenario. */
    public List<String> ratioLines() {
        BenchResults.Ratios r = results.ratios();
        return List.of(
                "ledger/baseline = " + (r.ledgerOverBaseline() == null ? "n/a" : fmt("%.2f", r.ledgerOverBaseline())),
                "ledger/limit = " + (r.ledgerOverLimitPercent() == null ? "n/a" : fmt("%.1f", r.ledgerOverLimitPercent())) + "%");
    }

    /** The ratio lines, then a table per scenario: what the command prints. */
    public String text() {
        var text = new StringBuilder();
        ratioLines().forEach(l -> text.append(l).append('\n'));
        text.append("(single scenario, transfers/s: the ledger against the PostgreSQL ledger as deployed, and against raw Kafka appends)\n");
        for (BenchResults.ScenarioResult s : results.scenarios()) {
            text.append('\n').append(scenarioTitle(s)).append('\n').append(table(s));
        }
        BenchResults.Ratios r = results.ratios();
        if (r.batchLedgerOverBaselineMatched() != null || r.batchLedgerOverLimitPercent() != null) {
            text.append("\nbatch: ledger/baseline(matched) = ").append(r.batchLedgerOverBaselineMatched() == null ? "n/a"
                    : fmt("%.2f", r.batchLedgerOverBaselineMatched())).append(", ledger/limit = ")
                    .append(r.batchLedgerOverLimitPercent() == null ? "n/a" : fmt("%.1f%%", r.batchLedgerOverLimitPercent()))
                    .append('\n');
        }
        return text.toString();
    }

    private static String scenarioTitle(BenchResults.ScenarioResult s) {
        return "Scenario " + s.scenario() + ": " + s.clients() + " clients, " + s.transfersPerRequest()
                + (s.transfersPerRequest() == 1 ? " transfer" : " transfers") + " per request";
    }

    /** A Markdown table, padded so that it also reads well in a terminal. */
    public String table(BenchResults.ScenarioResult s) {
        var rows = new ArrayList<List<String>>();
        rows.add(List.of("system", "transfers/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "failed",
                "projection lag p99 / catch-up ms", "CPU cores: total (JVM + Kafka + PG)", "RSS MB: JVM / Kafka / PG"));
        for (BenchResults.SystemResult r : s.systems()) {
            BenchResults.Latency l = r.latencyMs();
            rows.add(List.of(r.label(), fmt("%,.0f", r.transfersPerSecond()), ms(l.p50()), ms(l.p99()), ms(l.p999()),
                    ms(l.max()), Long.toString(r.failed()), lag(r.projectionLag()), cpu(r.resources()), rss(r.resources())));
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
                .append(" s) measured per system and scenario. Ledger: ").append(st.partitions())
                .append(" partitions, commit.interval.ms ").append(st.ledgerCommitIntervalMs()).append(".\n\n");
        ratioLines().forEach(l -> md.append("    ").append(l).append('\n'));
        md.append('\n');
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
        BenchResults.RecordProfile p = results.ledgerRecords();
        md.append("### What the ledger writes per transfer (measured on ").append(fmt("%,d", p.sampledTransfers()))
                .append(" warm-up transfers; the limit appends the same)\n\n");
        md.append("| topic | partitions | records per transfer | mean record bytes |\n|:--|--:|--:|--:|\n");
        for (BenchResults.TopicProfile t : p.topics()) {
            md.append("| ").append(t.topic()).append(" | ").append(t.partitions()).append(" | ")
                    .append(fmt("%.2f", t.recordsPerTransfer())).append(" | ").append(fmt("%.0f", t.meanRecordBytes()))
                    .append(" |\n");
        }
        md.append(fmt("| **total** | | **%.2f** | %.0f B per transfer |%n%n", p.recordsPerTransfer(), p.bytesPerTransfer()));
        md.append("Limit producer settings: ").append(st.limitProducerConfig()).append(", ").append(st.limitProducers())
                .append(" producer(s).\n\n");
        md.append("![throughput and p99 latency per second](").append(CHART_FILE).append(")\n");
        return md.toString();
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

    private static String cpu(BenchResults.Resources r) {
        Map<String, Double> c = r.cpuCores();
        double pg = c.getOrDefault("postgres-read-model", 0.0) + c.getOrDefault("postgres-baseline", 0.0);
        return fmt("%.2f (%.2f + %.2f + %.2f)", r.totalCpuCores(), c.getOrDefault("jvm", 0.0),
                c.getOrDefault("kafka", 0.0), pg);
    }

    private static String rss(BenchResults.Resources r) {
        Map<String, Double> m = r.maxRssMb();
        double pg = m.getOrDefault("postgres-read-model", 0.0) + m.getOrDefault("postgres-baseline", 0.0);
        return fmt("%.0f / %.0f / %.0f", m.getOrDefault("jvm", 0.0), m.getOrDefault("kafka", 0.0), pg);
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
