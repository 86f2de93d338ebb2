package dev.ledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.kafka.LedgerTopics;
import dev.ledger.kafka.TopicNames;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Authenticator on the real HTTP server, up to the point where a command would be produced. As in
 * WriteValidationHttpTest, the producer points at a closed port and no outcome may be waited for, so
 * a request that got past authorization would be answered 503 (or 429), never 401 or 403: each
 * refusal here is one that sent nothing. The end-to-end tests show the same on the real stack.
 */
class AuthenticationHttpTest {
    private static final String TRANSFER = """
            {"transferId": "t-1", "debitAccountId": "alice", "creditAccountId": "bob", "amount": 1, "currency": "EUR"}""";
    private static ScheduledExecutorService timer;
    private static CommandGateway gateway;
    private static ApiKeyDirectory keys;
    private static HttpServer server;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        timer = Executors.newSingleThreadScheduledExecutor();
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        var metrics = new ApiMetrics(registry);
        var waiters = new ResultWaiters(0, timer);
        gateway = new CommandGateway(CommandGateway.producer(new dev.ledger.kafka.KafkaClients("127.0.0.1:1", dev.ledger.kafka.KafkaSettings.DEV)),
                new LedgerTopics(TopicNames.DEFAULT).commands().name(), LedgerApi.COMMAND_LINGER_MS, waiters, metrics,
                Clock.systemUTC());
        keys = TestKeys.directory();
        server = HttpServer.start("127.0.0.1", 0, metrics, new Authenticator(keys), List.of(
                new AccountRoutes(gateway), new TransferRoutes(gateway), new OperationsRoutes(List.of(),
                        () -> java.util.concurrent.CompletableFuture.completedFuture(List.of())), new MetricsRoutes(registry)));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (gateway != null) gateway.close();
        if (keys != null) keys.close();
        if (timer != null) timer.shutdownNow();
    }

    @Test
    void given_no_key_when_a_transfer_is_sent_then_401_problem_with_a_bearer_challenge() throws Exception {
        var response = post("/v1/transfers", null, TRANSFER);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"ledger\"");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(json(response).path("status").asInt()).isEqualTo(401);
    }

    @Test
    void given_an_unknown_key_or_another_scheme_when_a_read_is_made_then_401_says_the_token_is_invalid() throws Exception {
        var unknown = send(request("/health/ready", "Bearer not-a-key-of-this-ledger").GET());
        var basic = send(request("/health/ready", "Basic YWRtaW46YWRtaW4=").GET());
        var empty = send(request("/health/ready", "Bearer ").GET());

        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(unknown.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"ledger\", error=\"invalid_token\"");
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(basic.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"ledger\", error=\"invalid_request\"");
        assertThat(empty.statusCode()).isEqualTo(401);
    }

    @Test
    void given_no_key_when_liveness_is_asked_then_it_answers() throws Exception {
        assertThat(send(request("/health/live", null).GET()).statusCode()).isEqualTo(200);
        assertThat(send(request("/metrics", null).GET()).statusCode()).isEqualTo(401);
        assertThat(send(request("/metrics", TestKeys.bearer(TestKeys.READ)).GET()).statusCode()).isEqualTo(200);
    }

    @Test
    void given_a_read_key_when_a_transfer_is_sent_then_403_names_the_role_it_needs() throws Exception {
        var response = post("/v1/transfers", TestKeys.READ, TRANSFER);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(json(response).path("detail").asText()).isEqualTo("this needs the payments role; the key has read");
    }

    @Test
    void given_a_payments_key_when_it_opens_a_settlement_or_overdraft_account_or_closes_one_then_403() throws Exception {
        var settlement = post("/v1/accounts", TestKeys.PAYMENTS, """
                {"accountId": "bank", "currency": "EUR", "unlimitedOverdraft": true}""");
        var overdraft = post("/v1/accounts", TestKeys.PAYMENTS, """
                {"accountId": "alice", "currency": "EUR", "overdraftLimit": 100}""");
        var close = post("/v1/accounts/alice/close", TestKeys.PAYMENTS, "{}");

        assertThat(settlement.statusCode()).isEqualTo(403);
        assertThat(overdraft.statusCode()).isEqualTo(403);
        assertThat(close.statusCode()).isEqualTo(403);
    }

    @Test
    void given_a_tenant_key_when_it_names_another_tenants_ids_then_403_and_nothing_is_sent() throws Exception {
        var close = post("/v1/accounts/globex-a/close", TestKeys.ACME_ADMIN, "{}");
        var transfer = post("/v1/transfers", TestKeys.ACME_PAYMENTS, """
                {"transferId": "acme-t1", "debitAccountId": "acme-a", "creditAccountId": "globex-b", "amount": 1, "currency": "EUR"}""");
        var account = post("/v1/accounts", TestKeys.ACME_PAYMENTS, """
                {"accountId": "globex-a", "currency": "EUR"}""");
        var batch = post("/v1/transfers/batch", TestKeys.ACME_PAYMENTS, "{\"transfers\": [" + TRANSFER.replace("t-1", "acme-t2") + "]}");

        assertThat(close.statusCode()).isEqualTo(403);
        assertThat(json(close).path("detail").asText()).isEqualTo("accountId is outside the key's tenant");
        assertThat(transfer.statusCode()).isEqualTo(403);
        assertThat(json(transfer).path("detail").asText()).isEqualTo("creditAccountId is outside the key's tenant");
        assertThat(account.statusCode()).isEqualTo(403);
        assertThat(batch.statusCode()).isEqualTo(403);
        assertThat(json(batch).path("detail").asText()).isEqualTo("transfers[0].debitAccountId is outside the key's tenant");
    }

    @Test
    void given_a_tenant_key_and_no_account_id_when_an_account_is_opened_then_the_derived_id_is_inside_the_tenant() throws Exception {
        // passes authorization (its derived id starts with the tenant), so it reaches the gateway: 429 or 503, not 403
        var response = post("/v1/accounts", TestKeys.ACME_PAYMENTS, "{\"currency\": \"EUR\"}");

        assertThat(response.statusCode()).isIn(429, 503);
    }

    private static HttpRequest.Builder request(String path, String authorization) {
        var builder = HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + path)).timeout(Duration.ofSeconds(20));
        if (authorization != null) builder.header("Authorization", authorization);
        return builder;
    }

    private static HttpResponse<String> post(String path, String key, String body) throws Exception {
        return send(request(path, key == null ? null : TestKeys.bearer(key))
                .header("Content-Type", "application/json").header("Idempotency-Key", "k-" + path.hashCode())
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return ApiJson.MAPPER.readTree(response.body());
    }
}
