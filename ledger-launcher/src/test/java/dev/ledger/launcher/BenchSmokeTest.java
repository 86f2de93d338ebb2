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
 * per system) against a ledger on the test JVM's shared broker and PostgreSQL. A benchmark is not a
 * test: nothing here asserts a speed, only that each system was driven, nothing failed, money was
 * conserved in the baseline, and the report files hold every scenario and system.
 */
class BenchSmokeTest {
    private static final List<String> SYSTEMS = List.of("kafka-limit", "postgres-as-deployed", "postgres-matched", "ledger");

    @Test
    void a_tiny_bench_drives_every_system_and_writes_its_report(@TempDir Path dir) throws Exception {
        BenchSettings settings = BenchSettings.tinyRun();
        var output = new StringWriter();
        BenchResults results;
        try (LedgerHarness ledger = LedgerHarness.start("bench");
             BaselinePostgres baseline = BaselinePostgres.start(dir.resolve("baseline-postgres"))) {
            LedgerConfig config = ledger.config();
            var topics = List.of(config.topics().commands(), config.topics().events(), config.topics().results(),
                    config.topics().deadLetters());
            var env = new BenchEnvironment(config.bootstrapServers(), URI.create(ledger.baseUrl() + "/"), ledger.adminApiKey(),
                    name -> topics.contains(name) || name.startsWith(config.applicationIdPrefix() + "-"),
                    config.partitions(), config.commitIntervalMs(), baseline.jdbcUrl(), BaselinePostgres.USER, "",
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

        assertThat(output.toString()).contains("records", "Scenario single", "Scenario batch");
        assertThat(report.text()).contains("ledger/baseline = ", "ledger/limit = ");
        assertThat(results.ledgerRecords().recordsPerTransfer()).isPositive();
        assertThat(results.scenarios()).extracting(BenchResults.ScenarioResult::scenario).containsExactly("single", "batch");
        for (BenchResults.ScenarioResult scenario : results.scenarios()) {
            assertThat(scenario.systems()).extracting(BenchResults.SystemResult::system).containsExactlyElementsOf(SYSTEMS);
            for (BenchResults.SystemResult system : scenario.systems()) {
                assertThat(system.failed()).as(scenario.scenario() + " " + system.system() + " " + system.errorSamples()).isZero();
                assertThat(system.timeline()).as("outcomes of " + system.system()).anyMatch(p -> p.transfers() > 0);
            }
            BenchResults.SystemResult ledgerRow = scenario.systems().getLast();
            assertThat(ledgerRow.projectionLag()).isNotNull();
            assertThat(ledgerRow.projectionLag().catchUpMs()).as("the read model caught up").isNotNull();
        }

        Path out = dir.resolve("out");
        JsonNode json = new ObjectMapper().readTree(out.resolve(BenchReport.JSON_FILE).toFile());
        assertThat(json.path("scenarios")).hasSize(2);
        for (JsonNode scenario : json.path("scenarios")) {
            assertThat(scenario.path("systems")).hasSize(SYSTEMS.size());
            for (JsonNode system : scenario.path("systems")) {
                assertThat(system.has("transfersPerSecond")).isTrue();
                assertThat(system.path("latencyMs").has("p999")).isTrue();
                assertThat(system.path("resources").path("cpuCores").has("jvm")).isTrue();
            }
        }
        String markdown = Files.readString(out.resolve(BenchReport.MARKDOWN_FILE));
        assertThat(markdown).contains("ledger/baseline = ", "ledger/limit = ", "Kafka limit", "PostgreSQL ledger, as deployed",
                "PostgreSQL ledger, matched durability", "This ledger", "chart.png");
        BufferedImage chart = ImageIO.read(out.resolve(BenchReport.CHART_FILE).toFile());
        assertThat(chart).isNotNull();
        assertThat(chart.getWidth()).isPositive();
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
