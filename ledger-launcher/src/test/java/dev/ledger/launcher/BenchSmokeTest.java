package dev.ledger.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.bench.BaselinePostgres;
import dev.ledger.bench.BenchEnvironment;
import dev.ledger.bench.BenchReport;
import dev.ledger.bench.BenchResults;
import dev.ledger.bench.BenchRunner;
import dev.ledger.bench.BenchSettings;
import dev.ledger.bench.PostgresBaselineLedger;
import dev.ledger.kafka.CommandStages;
import dev.ledger.kafka.KafkaClients;
import dev.ledger.kafka.LedgerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark runs end to end and reports every row: a tiny run (50 accounts, a couple of seconds
 * per system, an open loop of 100/s) against two ledgers on the test JVM's shared broker and PostgreSQL,
 * one at 4 partitions and one at 1 (the bench's two ledger rows; here in the test's JVM, where
 * {@code ./ledger bench} runs each in a child JVM). A benchmark is not a test: nothing here asserts a
 * speed, only that each system was driven, nothing failed, money was conserved in the baseline, what
 * the ledgers wrote to Kafka was counted, and the report holds every scenario, system and script line.
 */
class BenchSmokeTest {
    private static final List<String> SYSTEMS = List.of("kafka-limit", "postgres-as-deployed", "postgres-matched",
            BenchEnvironment.LEDGER, BenchEnvironment.LEDGER_ONE_PARTITION);
    private static final List<String> LEDGERS = List.of(BenchEnvironment.LEDGER, BenchEnvironment.LEDGER_ONE_PARTITION);

    @Test
    void a_tiny_bench_drives_every_system_and_writes_its_report(@TempDir Path dir) throws Exception {
        BenchSettings settings = BenchSettings.tinyRun();
        var output = new StringWriter();
        BenchResults results;
        try (LedgerHarness ledger = LedgerHarness.startWithPartitions("bench", 4);
             LedgerHarness onePartition = LedgerHarness.startWithPartitions("bench-1", 1);
             BaselinePostgres baseline = BaselinePostgres.start(dir.resolve("baseline-postgres"))) {
            var env = new BenchEnvironment(KafkaClients.of(ledger.config()),
                    List.of(underTest(BenchEnvironment.LEDGER, ledger), underTest(BenchEnvironment.LEDGER_ONE_PARTITION, onePartition)),
                    ledger.config().commitIntervalMs(), baseline.jdbcUrl(), BaselinePostgres.USER, "",
                    SharedInfrastructure.get().kafkaPid(), SharedInfrastructure.get().postgresPid(), baseline.pid(),
                    "smoke test");
            results = new BenchRunner(settings, env, new PrintWriter(new Tee(output), true), null).run();

            // the baseline as it was left by its last run: money moved, none made or lost
            long[] totals = PostgresBaselineLedger.totals(baseline.jdbcUrl(), BaselinePostgres.USER, "");
            assertThat(totals[0]).isEqualTo(settings.accounts() * settings.openingBalance());
            assertThat(totals[2]).isPositive();
        }

        var report = new BenchReport(results);
        report.write(dir.resolve("out"), "./ledger bench (smoke test)");

        assertThat(output.toString()).contains("records", "Scenario single", "Scenario batch", "Scenario open-loop");
        // the script lines, each with a figure, at the end of what the command prints
        List<String> lines = report.text().strip().lines().toList();
        assertThat(lines.subList(lines.size() - report.scriptLines().size(), lines.size()))
                .anyMatch(l -> l.matches("single: ledger/baseline = \\d+\\.\\d\\d"))
                .anyMatch(l -> l.matches("batch: ledger/baseline\\(matched\\) = \\d+\\.\\d\\d"))
                .anyMatch(l -> l.matches("open-loop 100/s: p50 = \\d+\\.\\d p99 = \\d+\\.\\d"))
                .anyMatch(l -> l.matches("bytes/transfer = \\d+"))
                .anyMatch(l -> l.matches("records/transfer = \\d+\\.\\d\\d"))
                .anyMatch(l -> l.matches("disk bytes/transfer = \\d+"))
                .anyMatch(l -> l.matches("single: ledger\\(1 partition\\)/baseline = \\d+\\.\\d\\d"));
        assertThat(results.ledgerRecords().recordsPerTransfer()).isPositive();
        assertThat(results.headline().bytesPerTransfer()).isPositive();
        assertThat(results.scenarios()).extracting(BenchResults.ScenarioResult::scenario)
                .containsExactly("single", "batch", "open-loop");
        for (BenchResults.ScenarioResult scenario : results.scenarios()) {
            boolean openLoop = scenario.scenario().equals("open-loop");
            assertThat(scenario.systems()).extracting(BenchResults.SystemResult::system)
                    .containsExactlyElementsOf(openLoop ? LEDGERS : SYSTEMS);
            for (BenchResults.SystemResult system : scenario.systems()) {
                assertThat(system.failed()).as(scenario.scenario() + " " + system.system() + " " + system.errorSamples()).isZero();
                assertThat(system.timeline()).as("outcomes of " + system.system()).anyMatch(p -> p.transfers() > 0);
                if (LEDGERS.contains(system.system())) {
                    assertThat(system.written()).as("what " + system.system() + " wrote").isNotNull();
                    assertThat(system.written().bytesPerTransfer()).isPositive();
                    // the logs on disk grew by what the run wrote (compressed, so some figure above zero)
                    assertThat(system.written().diskBytesPerTransfer()).isPositive();
                }
            }
            if (openLoop) {
                assertThat(scenario.systems()).allMatch(r -> r.offeredPerSecond() == 100.0 && r.completed() > 0);
                continue;
            }
            for (BenchResults.SystemResult ledgerRow : scenario.systems().subList(3, 5)) {
                assertThat(ledgerRow.projectionLag()).isNotNull();
                assertThat(ledgerRow.projectionLag().catchUpMs()).as("the read model caught up").isNotNull();
                // the processor's own metrics: it committed, and each commit carried some of the run's input
                assertThat(ledgerRow.streamThread()).as("the stream thread of " + ledgerRow.system()).isNotNull();
                assertThat(ledgerRow.streamThread().commitsPerSecond()).isPositive();
                assertThat(ledgerRow.streamThread().recordsPerCommit()).isPositive();
                // and the ledger's timers of each stage of a command's way, read over the same run
                assertThat(ledgerRow.streamThread().stageMeanMs()).as("the stages of " + ledgerRow.system())
                        .containsKeys(CommandStages.QUEUED, CommandStages.ACKNOWLEDGED, CommandStages.FETCHED,
                                CommandStages.COMMITTED, "outcome");
                assertThat(ledgerRow.streamThread().stageMeanMs().get("outcome")).isPositive();
            }
        }

        Path out = dir.resolve("out");
        JsonNode json = new ObjectMapper().readTree(out.resolve(BenchReport.JSON_FILE).toFile());
        assertThat(json.path("scenarios")).hasSize(3);
        assertThat(json.path("headline").path("openLoopP99Ms").isNumber()).isTrue();
        for (JsonNode scenario : json.path("scenarios")) {
            assertThat(scenario.path("systems")).hasSize(scenario.path("scenario").asText().equals("open-loop")
                    ? LEDGERS.size() : SYSTEMS.size());
            for (JsonNode system : scenario.path("systems")) {
                assertThat(system.has("transfersPerSecond")).isTrue();
                assertThat(system.path("latencyMs").has("p999")).isTrue();
                assertThat(system.path("resources").path("cpuCores").has("jvm")).isTrue();
            }
        }
        String markdown = Files.readString(out.resolve(BenchReport.MARKDOWN_FILE));
        assertThat(markdown).contains("The command processor's stream thread in each run");
        assertThat(markdown).contains("single: ledger/baseline = ", "open-loop 100/s: p50 = ", "bytes/transfer = ", "Kafka limit",
                "PostgreSQL ledger, as deployed", "PostgreSQL ledger, matched durability", "This ledger, 4 partitions",
                "This ledger, 1 partition", "chart.png");
        BufferedImage chart = ImageIO.read(out.resolve(BenchReport.CHART_FILE).toFile());
        assertThat(chart).isNotNull();
        assertThat(chart.getWidth()).isPositive();
    }

    private static BenchEnvironment.Ledger underTest(String system, LedgerHarness harness) {
        LedgerConfig config = harness.config();
        var topics = List.of(config.topics().commands(), config.topics().events(), config.topics().results(),
                config.topics().deadLetters());
        return new BenchEnvironment.Ledger(system, URI.create(harness.baseUrl() + "/"), harness.adminApiKey(),
                name -> topics.contains(name) || name.startsWith(config.applicationIdPrefix() + "-"),
                config.partitions(), 0, "in the test JVM");
    }

    /** The bench's progress, kept for the assertions and shown in the test's output. */
    private static final class Tee extends Writer {
        private final StringWriter copy;

        Tee(StringWriter copy) {
            this.copy = copy;
        }

        @Override
        public void write(char[] buffer, int offset, int length) {
            copy.write(buffer, offset, length);
            System.out.print(new String(buffer, offset, length));
        }

        @Override
        public void flush() {
            System.out.flush();
        }

        @Override
        public void close() {
        }
    }
}
