package dev.ledger.launcher;

import dev.ledger.kafka.CommandStages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A ledger started with LEDGER_METRICS_PORT: Prometheus scrapes that port on loopback without a key, and
 * the API port no longer serves {@code /metrics} (404, to any key), while {@code /health/live} stays open.
 */
class MetricsListenerEndToEndTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static LedgerHarness ledger;

    @BeforeAll
    static void start() {
        ledger = LedgerHarness.startWithMetricsListener("metrics");
    }

    @AfterAll
    static void stop() {
        ledger.close();
    }

    @Test
    void given_a_metrics_port_when_scraped_without_a_key_then_it_shows_the_ledgers_meters() throws Exception {
        String id = "m-" + UUID.randomUUID().toString().substring(0, 8);
        var opened = ledger.post("/v1/accounts", id, "{\"accountId\":\"" + id + "\",\"currency\":\"EUR\"}");
        assertThat(opened.status()).as(opened.toString()).isEqualTo(201);

        var scrape = scrapeMetricsPort();

        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("ledger_api_requests_total{method=\"POST\",route=\"/v1/accounts\",status=\"201\"}")
                .contains("ledger_commands_dead_lettered_total");
    }

    @Test
    void given_a_command_answered_then_each_stage_of_its_way_is_timed() throws Exception {
        String id = "s-" + UUID.randomUUID().toString().substring(0, 8);
        var opened = ledger.post("/v1/accounts", id, "{\"accountId\":\"" + id + "\",\"currency\":\"EUR\"}");
        assertThat(opened.status()).as(opened.toString()).isEqualTo(201);

        String scrape = scrapeMetricsPort().body();

        for (String stage : List.of(CommandStages.QUEUED, CommandStages.ACKNOWLEDGED, CommandStages.FETCHED,
                CommandStages.COMMITTED)) {
            Matcher count = Pattern.compile("ledger_command_stage_latency_seconds_count\\{[^}]*stage=\"" + stage
                    + "\"[^}]*} (\\S+)").matcher(scrape);
            assertThat(count.find()).as("a count for stage %s in%n%s", stage, scrape).isTrue();
            assertThat(Double.parseDouble(count.group(1))).as(stage).isGreaterThanOrEqualTo(1);
        }
    }

    /**
     * Most of the tasks here never see a command (one account on 4 partitions). A task that never got
     * input is never restored; were its restore paced by a punctuator (as it once was), every punctuation
     * would mark the task as needing a commit, and the idle thread would commit a transaction every commit
     * interval.
     */
    @Test
    void given_an_idle_ledger_then_its_command_processor_commits_no_transactions() throws Exception {
        String id = "idle-" + UUID.randomUUID().toString().substring(0, 8);
        var opened = ledger.post("/v1/accounts", id, "{\"accountId\":\"" + id + "\",\"currency\":\"EUR\"}");
        assertThat(opened.status()).as(opened.toString()).isEqualTo(201);
        Thread.sleep(1_000); // the answer's own commit, and the projection's, are behind us

        double before = commandThreadCommits();
        Thread.sleep(2_000);
        double after = commandThreadCommits();

        assertThat(before).as("the command thread's commit counter is scraped").isPositive();
        assertThat(after - before).as("commits while idle").isZero();
    }

    private static double commandThreadCommits() throws Exception {
        return PrometheusText.sum(scrapeMetricsPort().body(), "kafka_stream_thread_commit_total{", "-command-");
    }

    /** A scrape of the metrics listener, without a key. */
    private static HttpResponse<String> scrapeMetricsPort() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + ledger.app().metricsPort().orElseThrow() + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void given_a_metrics_port_then_the_api_port_does_not_serve_metrics_even_to_an_admin_key() {
        var onApiPort = ledger.get("/metrics");

        assertThat(onApiPort.status()).as(onApiPort.toString()).isEqualTo(404);
        assertThat(onApiPort.header("Content-Type")).startsWith("application/problem+json");
        assertThat(onApiPort.body()).doesNotContain("ledger_api_requests_total");
        assertThat(ledger.client().withApiKey(null).get("/health/live").status()).isEqualTo(200);
        assertThat(ledger.client().withApiKey(null).get("/health/ready").status()).isEqualTo(401);
    }
}
