package dev.ledger.api;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The metrics listener of its own: the scrape without a key, and nothing else. */
class MetricsServerTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private PrometheusMeterRegistry registry;
    private MetricsServer server;

    @BeforeEach
    void start() {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        server = MetricsServer.start("127.0.0.1", 0, registry);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void given_a_counted_meter_when_scraped_without_a_key_then_200_in_the_prometheus_text_format() throws Exception {
        registry.counter("ledger_test_things").increment(3);

        var scrape = send(HttpRequest.newBuilder(uri("/metrics")).GET());

        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(scrape.body()).contains("ledger_test_things_total 3.0");
    }

    @Test
    void given_the_metrics_listener_when_any_other_path_or_method_is_asked_then_it_is_not_served() throws Exception {
        assertThat(send(HttpRequest.newBuilder(uri("/v1/accounts/alice")).GET()).statusCode()).isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(uri("/health/ready")).GET()).statusCode()).isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(uri("/metrics")).POST(HttpRequest.BodyPublishers.ofString("{}"))).statusCode())
                .isIn(404, 405);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
