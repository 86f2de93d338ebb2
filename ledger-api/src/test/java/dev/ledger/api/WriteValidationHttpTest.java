package dev.ledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.kafka.KafkaClients;
import dev.ledger.kafka.KafkaSettings;
import dev.ledger.kafka.LedgerTopics;
import dev.ledger.kafka.TopicNames;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The write routes up to the point where a command would be produced. No broker is needed: every
 * request here must be refused before anything is sent. The producer is a real one pointed at a
 * closed port, and the waiter bound is zero, so a request that got as far as producing would be
 * answered 503 after a two-second metadata wait, not 400 or 429. The full write path is tested
 * end to end against a real broker elsewhere.
 */
class WriteValidationHttpTest {
    private static ScheduledExecutorService timer;
    private static CommandGateway gateway;
    private static HttpServer server;
    private static ApiKeyDirectory keys;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        timer = Executors.newSingleThreadScheduledExecutor();
        var metrics = new ApiMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        var topics = new LedgerTopics(TopicNames.DEFAULT);
        var waiters = new ResultWaiters(0, timer);
        gateway = new CommandGateway(CommandGateway.producer(new KafkaClients("127.0.0.1:1", KafkaSettings.DEV)),
                topics.commands().name(), LedgerApi.COMMAND_LINGER_MS, waiters, metrics, Clock.systemUTC());
        keys = TestKeys.directory();
        server = HttpServer.start("127.0.0.1", 0, metrics, new Authenticator(keys),
                List.of(new AccountRoutes(gateway), new TransferRoutes(gateway)));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (gateway != null) gateway.close();
        if (keys != null) keys.close();
        if (timer != null) timer.shutdownNow();
    }

    @Test
    void given_no_key_and_a_bad_body_when_an_account_is_opened_then_400_names_the_header_and_each_field() throws Exception {
        var response = post("/v1/accounts", null, """
                {"accountId": "", "currency": "EURO", "overdraftLimit": 1.5}""");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(response.headers().firstValue("Ledger-Position")).isPresent();
        assertThat(errorFields(response)).containsExactly("Idempotency-Key", "accountId", "currency", "overdraftLimit");
    }

    @Test
    void given_malformed_json_when_a_transfer_is_sent_then_400_names_the_body() throws Exception {
        var response = post("/v1/transfers", "k-1", "{\"amount\": 1,");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorFields(response)).containsExactly("body");
    }

    @Test
    void given_a_quoted_key_and_a_string_amount_when_a_transfer_is_sent_then_only_the_amount_is_wrong() throws Exception {
        var response = post("/v1/transfers", "\"key-1\"", """
                {"debitAccountId": "alice", "creditAccountId": "bob", "amount": "2500", "currency": "EUR"}""");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorFields(response)).containsExactly("amount");
    }

    @Test
    void given_a_bad_account_id_in_the_path_when_it_is_closed_then_400() throws Exception {
        var response = post("/v1/accounts/-x/close", "k-1", "");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorFields(response)).containsExactly("accountId");
    }

    @Test
    void given_a_valid_transfer_when_no_waiter_is_free_then_429_and_nothing_is_produced() throws Exception {
        long startNanos = System.nanoTime();
        var response = post("/v1/transfers", "k-2", """
                {"transferId": "t-1", "debitAccountId": "alice", "creditAccountId": "bob", "amount": 1, "currency": "EUR"}""");

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).contains("1");
        assertThat(ApiJson.MAPPER.readTree(response.body()).get("type").textValue())
                .isEqualTo("https://ledger.dev/problems/too-many-requests");
        // producing would have waited max.block.ms for the absent broker's metadata
        assertThat(Duration.ofNanos(System.nanoTime() - startNanos)).isLessThan(Duration.ofMillis(1_500));
    }

    @Test
    void given_a_batch_of_invalid_items_when_sent_then_each_slot_reports_its_own_errors_in_order() throws Exception {
        var response = post("/v1/transfers/batch", "k-3", """
                {"transfers": [
                  {"debitAccountId": "alice", "creditAccountId": "bob", "amount": 1, "currency": "EUR"},
                  7,
                  {"transferId": "t-3", "debitAccountId": "alice", "creditAccountId": "alice", "amount": 0, "currency": "EUR"}
                ]}""");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode results = ApiJson.MAPPER.readTree(response.body()).get("results");
        assertThat(results).hasSize(3);
        assertThat(results.get(0).get("status").textValue()).isEqualTo("INVALID");
        assertThat(results.get(0).get("errors").get(0).get("field").textValue()).isEqualTo("transferId");
        assertThat(results.get(1).get("status").textValue()).isEqualTo("INVALID");
        assertThat(results.get(2).get("transferId").textValue()).isEqualTo("t-3");
        assertThat(fields(results.get(2).get("errors"))).containsExactly("amount", "creditAccountId");
    }

    @Test
    void given_a_batch_with_a_valid_item_when_no_waiter_is_free_then_the_whole_batch_is_refused() throws Exception {
        var response = post("/v1/transfers/batch", "k-4", """
                {"transfers": [{"transferId": "t-1", "debitAccountId": "a", "creditAccountId": "b", "amount": 1, "currency": "EUR"}]}""");

        assertThat(response.statusCode()).isEqualTo(429);
    }

    @Test
    void given_an_unknown_route_when_called_then_a_problem_document() throws Exception {
        var response = post("/v1/nowhere", "k", "{}");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/problem+json"));
    }

    @Test
    void given_a_nul_in_the_reference_when_a_transfer_is_sent_then_400_names_the_reference_and_nothing_is_produced()
            throws Exception {
        var response = post("/v1/transfers", "k-5", """
                {"debitAccountId": "alice", "creditAccountId": "bob", "amount": 1, "currency": "EUR", "reference": "bad\\u0000ref"}""");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(ApiJson.MAPPER.readTree(response.body()).get("errors").get(0).get("reason").textValue())
                .isEqualTo("contains a control character (U+0000) at character 3 (counting code points from 0)");
        assertThat(errorFields(response)).containsExactly("reference");
    }

    @Test
    void given_a_lone_surrogate_in_a_metadata_value_when_an_account_is_opened_then_400_names_the_entry() throws Exception {
        var response = post("/v1/accounts", "k-6", """
                {"currency": "EUR", "metadata": {"note": "\\ud800"}}""");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorFields(response)).containsExactly("metadata.note");
    }

    @Test
    void given_bytes_that_are_not_utf_8_when_a_transfer_is_sent_then_400_names_the_body() throws Exception {
        byte[] body = "{\"reference\": \"x\"}".getBytes(StandardCharsets.UTF_8);
        body[15] = (byte) 0xC3; // a lead byte with no continuation
        var response = http.send(request("/v1/transfers", "k-7").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorFields(response)).containsExactly("body");
    }

    @Test
    void given_a_field_the_ledger_does_not_know_when_a_transfer_is_sent_then_400_names_it_and_nothing_moves() throws Exception {
        var response = post("/v1/transfers", "k-8", """
                {"debitAccountId": "alice", "creditAccountId": "bob", "amount": 1, "currency": "EUR", "pending": true}""");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(ApiJson.MAPPER.readTree(response.body()).get("errors").get(0))
                .isEqualTo(ApiJson.MAPPER.readTree("{\"field\": \"pending\", \"reason\": \"is not a field of this request\"}"));
    }

    @Test
    void given_a_batch_item_with_an_unknown_field_when_sent_then_only_that_item_is_invalid() throws Exception {
        var response = post("/v1/transfers/batch", "k-9", """
                {"transfers": [
                  {"transferId": "t-9", "debitAccountId": "alice", "creditAccountId": "bob", "amount": 1, "currency": "EUR", "pending": true},
                  {"transferId": "t-10", "debitAccountId": "alice", "creditAccountId": "bob", "amount": 0, "currency": "EUR"}
                ]}""");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode results = ApiJson.MAPPER.readTree(response.body()).get("results");
        assertThat(results.get(0).get("transferId").textValue()).isEqualTo("t-9");
        assertThat(fields(results.get(0).get("errors"))).containsExactly("pending");
        assertThat(fields(results.get(1).get("errors"))).containsExactly("amount");
    }

    @Test
    void given_a_single_transfer_larger_than_its_route_allows_when_sent_then_413_problem_with_or_without_a_length()
            throws Exception {
        String large = """
                {"debitAccountId": "alice", "creditAccountId": "bob", "amount": 1, "currency": "EUR", "reference": "%s"}"""
                .formatted("x".repeat(RequestBody.MAX_SINGLE_BYTES));

        var declared = post("/v1/transfers", "k-10", large);
        var chunked = http.send(request("/v1/accounts", "k-11").POST(HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(large.getBytes(StandardCharsets.UTF_8)))).build(),
                HttpResponse.BodyHandlers.ofString());

        for (var response : List.of(declared, chunked)) {
            assertThat(response.statusCode()).isEqualTo(413);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("application/problem+json"));
            assertThat(ApiJson.MAPPER.readTree(response.body()).get("detail").textValue())
                    .contains("at most " + RequestBody.MAX_SINGLE_BYTES + " bytes");
        }
    }

    @Test
    void given_a_batch_larger_than_a_single_transfer_may_be_when_sent_then_it_is_read_and_its_items_validated()
            throws Exception {
        String item = "{\"transferId\": \"t-%d\", \"reference\": \"" + "x".repeat(600) + "\"}";
        var items = new ArrayList<String>();
        for (int i = 0; i < 500; i++) items.add(item.formatted(i));
        String batch = "{\"transfers\": [" + String.join(",", items) + "]}";
        assertThat(batch.length()).isGreaterThan(RequestBody.MAX_SINGLE_BYTES);

        var response = post("/v1/transfers/batch", "k-12", batch);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode first = ApiJson.MAPPER.readTree(response.body()).get("results").get(0);
        assertThat(fields(first.get("errors"))).contains("reference", "amount");
    }

    private static HttpRequest.Builder request(String path, String key) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + path))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .header("Authorization", TestKeys.bearer(TestKeys.ADMIN))
                .header("Idempotency-Key", key);
    }

    private static HttpResponse<String> post(String path, String key, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + path))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .header("Authorization", TestKeys.bearer(TestKeys.ADMIN))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) request.header("Idempotency-Key", key);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> errorFields(HttpResponse<String> response) throws Exception {
        return fields(ApiJson.MAPPER.readTree(response.body()).get("errors"));
    }

    private static List<String> fields(JsonNode errors) {
        var fields = new ArrayList<String>();
        errors.forEach(e -> fields.add(e.get("field").textValue()));
        return fields;
    }
}
