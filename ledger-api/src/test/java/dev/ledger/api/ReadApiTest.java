package dev.ledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ledger.projection.ReadModelDataSource;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read side against a real PostgreSQL holding the real migration. Rows are inserted directly,
 * as the projection would write them; no Kafka is involved in reads.
 */
class ReadApiTest {
    private static EmbeddedPostgres postgres;
    /** The writer's pool: the tests insert rows with it, as the projection would, and the key store uses it. */
    private static HikariDataSource dataSource;
    /** The query side's pool as the ledger builds it: its role, its statement timeout. */
    private static HikariDataSource queries;
    private static ScheduledExecutorService timer;
    private static ThreadPoolExecutor readExecutor;
    private static PositionWaiter positions;
    private static HttpServer server;
    private static ApiKeyDirectory keys;
    private static String readKey;
    private static final AtomicBoolean processorsReady = new AtomicBoolean(true);
    private static final int PARTITIONS = 4;
    /** The stuck-partition cache's clock: a test moves it past the cache instead of sleeping. */
    private static final java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
    private static StuckPartitions stuck;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        // the read model's migrations as the projection applies them (ReadModelSchema), from the repository's folder
        Flyway.configure().dataSource(postgres.getPostgresDatabase()).schemas("read_model").createSchemas(true)
                .locations("filesystem:../db/migration").placeholders(Map.of("readRole", "ledger_reader"))
                .load().migrate();
        var config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres?currentSchema=read_model");
        config.setUsername("postgres");
        config.setMaximumPoolSize(4);
        dataSource = new HikariDataSource(config);
        queries = ReadModelDataSource.createReadOnly("jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres",
                "ledger_reader", "", "read_model", 4);

        timer = Executors.newSingleThreadScheduledExecutor();
        readExecutor = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(100));
        var readModel = new ReadModel(queries);
        positions = new PositionWaiter(readModel, 100, 4, 10, timer);
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        var metrics = new ApiMetrics(registry);
        metrics.waiting("position", positions::waiting); // as LedgerApi wires it
        var checks = List.of(
                new OperationsRoutes.HealthCheck("postgres", OperationsRoutes.Part.READ_MODEL, () -> CompletableFuture.supplyAsync(() -> {
                    readModel.ping();
                    return true;
                }, readExecutor)),
                new OperationsRoutes.HealthCheck("processors", OperationsRoutes.Part.WRITE,
                        () -> CompletableFuture.completedFuture(processorsReady.get())));
        stuck = new StuckPartitions(queries, "ledger.events", PARTITIONS, nanos::get);
        // the real key store on this PostgreSQL: the reads carry a read key created in it
        var store = new ApiKeyStore(dataSource);
        store.migrate();
        readKey = store.create("reads", Role.READ, null).apiKey();
        keys = ApiKeyDirectory.start(store::activeKeys);
        server = HttpServer.start("127.0.0.1", 0, metrics, new Authenticator(keys), List.of(
                new QueryRoutes(readModel, stuck, positions, readExecutor, Clock.systemUTC()),
                new OperationsRoutes(checks, () -> CompletableFuture.supplyAsync(stuck::list, readExecutor)),
                new MetricsRoutes(registry)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (positions != null) positions.close();
        if (keys != null) keys.close();
        if (readExecutor != null) readExecutor.shutdownNow();
        if (timer != null) timer.shutdownNow();
        if (queries != null) queries.close();
        if (dataSource != null) dataSource.close();
        if (postgres != null) postgres.close();
    }

    @BeforeEach
    void emptyTables() throws Exception {
        sql("TRUNCATE entries, transfers, accounts, projection_parked");
        processorsReady.set(true);
    }

    // --- accounts

    @Test
    void given_an_account_when_read_then_the_body_has_the_contract_fields_and_derived_balances() throws Exception {
        insertAccount("alice", "EUR", "OPEN", 500, false, "{\"customer\":\"c-17\"}", 200, 1000, 10000, 7);

        var response = get("/v1/accounts/alice");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode body = json(response);
        assertThat(body).isEqualTo(ApiJson.MAPPER.readTree("""
                {"accountId": "alice", "currency": "EUR", "status": "OPEN",
                 "overdraftLimit": 500, "unlimitedOverdraft": false,
                 "debitsPosted": 1000, "creditsPosted": 10000, "debitsPending": 200, "creditsPending": 0,
                 "balance": 9000, "available": 9300, "metadata": {"customer": "c-17"}}"""));
        assertThat(fieldNames(body)).containsExactly("accountId", "currency", "status", "overdraftLimit",
                "unlimitedOverdraft", "debitsPosted", "creditsPosted", "debitsPending", "creditsPending", "balance",
                "available", "metadata");
    }

    @Test
    void given_an_unlimited_settlement_account_when_read_then_available_is_null() throws Exception {
        insertAccount("bank:eur", "EUR", "OPEN", 0, true, "{}", 0, 50000, 0, 3);

        JsonNode body = json(get("/v1/accounts/bank:eur"));

        assertThat(body.get("balance").longValue()).isEqualTo(-50000);
        assertThat(body.has("available")).isTrue();
        assertThat(body.get("available").isNull()).isTrue();
    }

    @Test
    void given_no_such_account_when_read_then_404_problem() throws Exception {
        var response = get("/v1/accounts/nobody");

        assertThat(response.statusCode()).isEqualTo(404);
        assertProblem(response, "https://ledger.dev/problems/not-found");
    }

    @Test
    void given_an_id_outside_the_pattern_when_read_then_400_naming_it() throws Exception {
        var response = get("/v1/accounts/-bad");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("errors").get(0).get("field").textValue()).isEqualTo("accountId");
    }

    // --- entries

    @Test
    void given_five_entries_when_paged_by_two_then_pages_are_oldest_first_and_the_last_has_no_next() throws Exception {
        insertAccount("alice", "EUR", "OPEN", 0, false, "{}", 0, 0, 500, 5);
        for (int seq = 1; seq <= 5; seq++) {
            insertEntry("e-" + seq, "alice", seq, "t-" + seq, 100, 100L * seq, Instant.parse("2026-11-22T10:00:00Z").plusSeconds(seq));
        }

        JsonNode first = json(get("/v1/accounts/alice/entries?limit=2"));
        JsonNode second = json(get("/v1/accounts/alice/entries?limit=2&after=" + first.get("next").textValue()));
        JsonNode third = json(get("/v1/accounts/alice/entries?limit=2&after=" + second.get("next").textValue()));

        assertThat(seqs(first)).containsExactly(1L, 2L);
        assertThat(seqs(second)).containsExactly(3L, 4L);
        assertThat(seqs(third)).containsExactly(5L);
        assertThat(third.get("next").isNull()).isTrue();
        assertThat(first.get("entries").get(0)).isEqualTo(ApiJson.MAPPER.readTree("""
                {"entryId": "e-1", "transferId": "t-1", "amount": 100, "balanceAfter": 100, "accountSeq": 1,
                 "occurredAt": "2026-11-22T10:00:01Z"}"""));
    }

    @Test
    void given_a_page_exactly_at_the_end_when_read_then_next_is_null() throws Exception {
        insertAccount("alice", "EUR", "OPEN", 0, false, "{}", 0, 0, 200, 2);
        insertEntry("e-1", "alice", 1, "t-1", 100, 100, Instant.parse("2026-11-22T10:00:00Z"));
        insertEntry("e-2", "alice", 2, "t-2", 100, 200, Instant.parse("2026-11-22T10:00:01Z"));

        JsonNode page = json(get("/v1/accounts/alice/entries?limit=2"));

        assertThat(seqs(page)).containsExactly(1L, 2L);
        assertThat(page.get("next").isNull()).isTrue();
    }

    @Test
    void given_an_account_without_entries_when_read_then_an_empty_page() throws Exception {
        insertAccount("alice", "EUR", "OPEN", 0, false, "{}", 0, 0, 0, 1);

        JsonNode page = json(get("/v1/accounts/alice/entries"));

        assertThat(page.get("entries")).isEmpty();
        assertThat(page.get("next").isNull()).isTrue();
    }

    @Test
    void given_a_limit_out_of_range_or_a_bad_cursor_when_entries_are_read_then_400() throws Exception {
        insertAccount("alice", "EUR", "OPEN", 0, false, "{}", 0, 0, 0, 1);

        for (String query : List.of("limit=0", "limit=1001", "limit=ten", "limit=-1", "after=abc")) {
            var response = get("/v1/accounts/alice/entries?" + query);
            assertThat(response.statusCode()).as(query).isEqualTo(400);
        }
        assertThat(get("/v1/accounts/alice/entries?limit=1000").statusCode()).isEqualTo(200);
        assertThat(get("/v1/accounts/nobody/entries").statusCode()).isEqualTo(404);
    }

    // --- balance as of

    @Test
    void given_entries_over_time_when_the_balance_is_asked_as_of_an_instant_then_the_last_entry_before_it_counts()
            throws Exception {
        insertAccount("alice", "EUR", "OPEN", 0, false, "{}", 0, 300, 1000, 4);
        insertEntry("e-1", "alice", 2, "t-1", 1000, 1000, Instant.parse("2026-11-22T09:00:00Z"));
        insertEntry("e-2", "alice", 4, "t-2", -300, 700, Instant.parse("2026-11-22T11:00:00Z"));

        JsonNode between = json(get("/v1/accounts/alice/balance?asOf=2026-11-22T10:00:00Z"));
        JsonNode exactlyAtSecond = json(get("/v1/accounts/alice/balance?asOf=2026-11-22T11:00:00Z"));
        JsonNode withOffset = json(get("/v1/accounts/alice/balance?asOf=2026-11-22T12:30:00%2B02:00"));
        JsonNode before = json(get("/v1/accounts/alice/balance?asOf=2026-11-22T08:00:00Z"));

        assertThat(between).isEqualTo(ApiJson.MAPPER.readTree("""
                {"accountId": "alice", "currency": "EUR", "asOf": "2026-11-22T10:00:00Z", "balance": 1000}"""));
        assertThat(exactlyAtSecond.get("balance").longValue()).isEqualTo(700);
        assertThat(withOffset.get("balance").longValue()).isEqualTo(1000); // 10:30Z
        assertThat(before.get("balance").longValue()).isZero();
    }

    @Test
    void given_a_bad_instant_or_an_unknown_account_when_a_balance_is_asked_then_400_or_404() throws Exception {
        insertAccount("alice", "EUR", "OPEN", 0, false, "{}", 0, 0, 0, 1);

        assertThat(get("/v1/accounts/alice/balance?asOf=yesterday").statusCode()).isEqualTo(400);
        assertThat(get("/v1/accounts/nobody/balance?asOf=2026-11-22T10:00:00Z").statusCode()).isEqualTo(404);
        assertThat(get("/v1/accounts/alice/balance").statusCode()).isEqualTo(200);
    }

    // --- transfers

    @Test
    void given_a_completed_transfer_when_read_then_the_body_has_every_contract_field() throws Exception {
        insertTransfer("t-1", "COMPLETED", null, Instant.parse("2026-11-22T10:00:00Z"), Instant.parse("2026-11-22T10:00:01Z"));

        JsonNode body = json(get("/v1/transfers/t-1"));

        assertThat(body).isEqualTo(ApiJson.MAPPER.readTree("""
                {"transferId": "t-1", "debitAccountId": "alice", "creditAccountId": "bob", "amount": 2500,
                 "currency": "EUR", "reference": "invoice 42", "metadata": {"order": "42"}, "status": "COMPLETED",
                 "reason": null, "createdAt": "2026-11-22T10:00:00Z", "completedAt": "2026-11-22T10:00:01Z"}"""));
    }

    @Test
    void given_a_pending_or_rejected_transfer_when_read_then_status_and_reason_show_it() throws Exception {
        insertTransfer("t-p", "PENDING", null, Instant.parse("2026-11-22T10:00:00Z"), null);
        insertTransfer("t-r", "REJECTED", "INSUFFICIENT_FUNDS", Instant.parse("2026-11-22T10:00:00Z"),
                Instant.parse("2026-11-22T10:00:02Z"));

        JsonNode pending = json(get("/v1/transfers/t-p"));
        JsonNode rejected = json(get("/v1/transfers/t-r"));

        assertThat(pending.get("status").textValue()).isEqualTo("PENDING");
        assertThat(pending.get("completedAt").isNull()).isTrue();
        assertThat(rejected.get("reason").textValue()).isEqualTo("INSUFFICIENT_FUNDS");
        assertThat(get("/v1/transfers/t-none").statusCode()).isEqualTo(404);
    }

    // --- Ledger-Min-Position

    @Test
    void given_a_position_ahead_of_the_read_model_when_the_projection_catches_up_then_the_read_waits_and_sees_it()
            throws Exception {
        insertAccount("alice", "EUR", "OPEN", 0, false, "{}", 0, 0, 0, 1);
        var projectLater = CompletableFuture.runAsync(() -> sql(
                "UPDATE accounts SET credits_posted = 2500, seq = 2 WHERE account_id = 'alice'"),
                CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS));

        long startNanos = System.nanoTime();
        var response = get("/v1/accounts/alice", "Ledger-Min-Position", "alice:2");
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        projectLater.join();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("balance").longValue()).isEqualTo(2500);
        assertThat(elapsedMs).isGreaterThanOrEqualTo(190).isLessThan(5_000);
    }

    @Test
    void given_a_position_already_reached_when_read_then_it_answers_at_once() throws Exception {
        insertAccount("acct:eur:1", "EUR", "OPEN", 0, false, "{}", 0, 0, 0, 9);

        var response = get("/v1/accounts/acct:eur:1", "Ledger-Min-Position", "acct:eur:1:9");

        assertThat(response.statusCode()).isEqualTo(200);
    }

    /** The poller skips its positions query while nothing commits: a newcomer must still be asked for. */
    @Test
    void given_a_position_reached_while_nothing_commits_since_when_another_read_waits_for_it_then_it_answers_at_once()
            throws Exception {
        insertAccount("alice", "EUR", "OPEN", 0, false, "{}", 0, 0, 0, 1);
        CompletableFuture.runAsync(() -> sql("UPDATE accounts SET seq = 2 WHERE account_id = 'alice'"),
                CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS));
        assertThat(get("/v1/accounts/alice", "Ledger-Min-Position", "alice:2").statusCode()).isEqualTo(200);
        Thread.sleep(100); // polls meanwhile, with nobody waiting and nothing committed

        long startNanos = System.nanoTime();
        var response = send(request("/v1/accounts/alice").header("Ledger-Min-Position", "alice:2")
                .header("Prefer", "wait=2").build());
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(elapsedMs).isLessThan(1_000);
    }

    @Test
    void given_a_position_never_reached_when_the_wait_ends_then_503_with_retry_after() throws Exception {
        insertAccount("alice", "EUR", "OPEN", 0, false, "{}", 0, 0, 0, 1);

        var response = send(request("/v1/transfers/t-1")
                .header("Ledger-Min-Position", "alice:3,bob:1").header("Prefer", "wait=1").build());

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).contains("1");
        assertProblem(response, "https://ledger.dev/problems/read-model-behind");
        assertThat(positions.waiting()).isZero();
    }

    @Test
    void given_a_query_postgresql_cannot_answer_within_the_query_timeout_then_it_is_cancelled_and_the_read_answers_503()
            throws Exception {
        insertAccount("alice", "EUR", "OPEN", 0, false, "{}", 0, 0, 2500, 1);
        // a writer holds the table as a long DDL would: the read waits for the lock until PostgreSQL cancels it
        try (Connection locker = dataSource.getConnection()) {
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                s.execute("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE");
            }

            var response = get("/v1/accounts/alice");

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).contains("1");
            assertProblem(response, "https://ledger.dev/problems/unavailable");
            assertThat(json(response).get("detail").textValue()).isEqualTo("the read model is unavailable");
            locker.rollback();
        }
        // the cancelled statement left its pooled connection usable: the next read answers
        var after = get("/v1/accounts/alice");
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(json(after).get("balance").longValue()).isEqualTo(2500);
    }

    @Test
    void given_a_malformed_position_token_when_read_then_400_naming_the_header() throws Exception {
        var response = get("/v1/accounts/alice", "Ledger-Min-Position", "alice=3");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("errors").get(0).get("field").textValue()).isEqualTo("Ledger-Min-Position");
    }

    @Test
    void given_a_position_naming_more_accounts_than_a_token_can_when_read_then_400_naming_the_header() throws Exception {
        var names = new StringBuilder("a0:1");
        for (int i = 1; i <= LedgerPosition.MAX_ACCOUNTS; i++) names.append(",a").append(i).append(":1");

        var response = get("/v1/accounts/alice", "Ledger-Min-Position", names.toString());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("errors").get(0).get("reason").textValue())
                .contains("names more than " + LedgerPosition.MAX_ACCOUNTS + " accounts");
    }

    @Test
    void given_waiting_reads_that_name_as_many_accounts_as_allowed_when_another_one_waits_then_429_until_they_end()
            throws Exception {
        insertAccount("alice", "EUR", "OPEN", 0, false, "{}", 0, 0, 0, 1);
        // this waiter bounds the names of all waiting reads together at 4; this read names 3 and never gets there
        var waiting = http.sendAsync(request("/v1/accounts/alice")
                .header("Ledger-Min-Position", "alice:9,bob:1,carol:1").header("Prefer", "wait=2").build(),
                HttpResponse.BodyHandlers.ofString());
        while (positions.waiting() == 0 && !waiting.isDone()) Thread.onSpinWait();

        var refused = get("/v1/accounts/alice", "Ledger-Min-Position", "alice:1,dave:0");

        assertThat(refused.statusCode()).isEqualTo(429);
        assertProblem(refused, "https://ledger.dev/problems/too-many-requests");
        assertThat(waiting.get().statusCode()).isEqualTo(503);
        assertThat(get("/v1/accounts/alice", "Ledger-Min-Position", "alice:1,dave:0").statusCode()).isEqualTo(200);
    }

    // --- a partition the read model is stuck on

    @Test
    void given_a_stuck_partition_then_its_reads_answer_503_naming_the_event_and_other_partitions_answer()
            throws Exception {
        String stuckAccount = "alice";
        String otherAccount = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "acct-" + i)
                .filter(id -> stuck.partitionOf(id) != stuck.partitionOf(stuckAccount)).findFirst().orElseThrow();
        insertAccount(stuckAccount, "EUR", "OPEN", 0, false, "{}", 0, 0, 700, 2);
        insertAccount(otherAccount, "EUR", "OPEN", 0, false, "{}", 0, 0, 300, 2);
        sql("INSERT INTO projection_parked (topic, event_partition, event_offset, event_id, reason, raw_value) VALUES "
                + "('ledger.events', " + stuck.partitionOf(stuckAccount) + ", 41, 'evt:alice:3', 'PostgreSQL refused it', '\\x00'), "
                + "('ledger.events', " + stuck.partitionOf(stuckAccount) + ", 42, null, 'parked behind', '\\x00')");
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(2)); // past the cache

        var stuckRead = get("/v1/accounts/" + stuckAccount);
        var waitOnStuck = get("/v1/accounts/" + otherAccount, "Ledger-Min-Position", stuckAccount + ":3");
        var otherRead = get("/v1/accounts/" + otherAccount);
        var ready = get("/health/ready");
        var readModelReady = get("/health/ready/read-model");
        var writeReady = get("/health/ready/write");
        sql("TRUNCATE projection_parked"); // the partition recovered
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(2));
        var recovered = get("/v1/accounts/" + stuckAccount);

        assertThat(stuckRead.statusCode()).isEqualTo(503);
        assertThat(stuckRead.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        var problem = json(stuckRead);
        assertThat(problem.get("type").textValue()).endsWith("/read-model-stuck");
        assertThat(problem.get("stuck").get("partition").intValue()).isEqualTo(stuck.partitionOf(stuckAccount));
        assertThat(problem.get("stuck").get("offset").longValue()).isEqualTo(41);
        assertThat(problem.get("stuck").get("eventId").textValue()).isEqualTo("evt:alice:3");
        assertThat(problem.get("detail").textValue()).contains("account 'alice'").contains("PostgreSQL refused it");
        assertThat(waitOnStuck.statusCode()).isEqualTo(503);
        assertThat(json(waitOnStuck).get("type").textValue()).endsWith("/read-model-stuck");
        assertThat(otherRead.statusCode()).isEqualTo(200);
        assertThat(json(otherRead).get("balance").longValue()).isEqualTo(300);
        assertThat(ready.statusCode()).as("the instance still serves writes and the other partitions").isEqualTo(200);
        assertThat(json(ready).get("components").get("readModel").textValue()).isEqualTo("DEGRADED");
        assertThat(json(ready).get("components").get("write").textValue()).isEqualTo("UP");
        assertThat(json(ready).get("stuckPartitions").get(0).get("offset").longValue()).isEqualTo(41);
        assertThat(readModelReady.statusCode()).isEqualTo(503);
        assertThat(writeReady.statusCode()).isEqualTo(200);
        assertThat(recovered.statusCode()).isEqualTo(200);
    }

    // --- operations

    @Test
    void given_every_dependency_up_when_readiness_is_asked_then_200_and_when_one_is_down_then_503_naming_it()
            throws Exception {
        var ready = get("/health/ready");
        processorsReady.set(false);
        var notReady = get("/health/ready");

        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(json(notReady).get("checks").get("processors").textValue()).isEqualTo("DOWN");
        assertThat(json(notReady).get("checks").get("postgres").textValue()).isEqualTo("UP");
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void given_requests_served_when_metrics_are_scraped_then_they_are_counted_by_route_and_status() throws Exception {
        get("/v1/accounts/nobody");

        var metrics = get("/metrics");

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("ledger_api_requests_total{method=\"GET\",route=\"/v1/accounts/{accountId}\",status=\"404\"}");
        assertThat(metrics.body()).contains("ledger_api_waiting_requests").doesNotContain("/v1/accounts/nobody");
    }

    // --- helpers

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + path))
                .header("Authorization", "Bearer " + readKey)
                .timeout(java.time.Duration.ofSeconds(20));
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        var builder = request(path);
        if (headers.length > 0) builder.headers(headers);
        return send(builder.build());
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return ApiJson.MAPPER.readTree(response.body());
    }

    private static void assertProblem(HttpResponse<String> response, String type) throws Exception {
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/problem+json"));
        JsonNode body = json(response);
        assertThat(body.get("type").textValue()).isEqualTo(type);
        assertThat(body.get("status").intValue()).isEqualTo(response.statusCode());
        assertThat(body.get("title").isTextual()).isTrue();
        assertThat(body.get("detail").isTextual()).isTrue();
    }

    private static List<String> fieldNames(JsonNode node) {
        var names = new ArrayList<String>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<Long> seqs(JsonNode page) {
        var seqs = new ArrayList<Long>();
        page.get("entries").forEach(e -> seqs.add(e.get("accountSeq").longValue()));
        return seqs;
    }

    private static void sql(String statement) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void insertAccount(String id, String currency, String status, long overdraftLimit, boolean unlimited,
                                      String metadata, long debitsPending, long debitsPosted, long creditsPosted,
                                      long seq) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO accounts (account_id, currency, status, overdraft_limit, unlimited_overdraft, metadata,
                                      debits_pending, debits_posted, credits_pending, credits_posted, seq,
                                      opened_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?, 0, ?, ?, now(), now())""")) {
            ps.setString(1, id);
            ps.setString(2, currency);
            ps.setString(3, status);
            ps.setLong(4, overdraftLimit);
            ps.setBoolean(5, unlimited);
            ps.setString(6, metadata);
            ps.setLong(7, debitsPending);
            ps.setLong(8, debitsPosted);
            ps.setLong(9, creditsPosted);
            ps.setLong(10, seq);
            ps.executeUpdate();
        }
    }

    private static void insertEntry(String entryId, String accountId, long seq, String transferId, long amount,
                                    long balanceAfter, Instant occurredAt) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO entries (entry_id, account_id, account_seq, transfer_id, amount, balance_after, occurred_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setString(1, entryId);
            ps.setString(2, accountId);
            ps.setLong(3, seq);
            ps.setString(4, transferId);
            ps.setLong(5, amount);
            ps.setLong(6, balanceAfter);
            ps.setTimestamp(7, Timestamp.from(occurredAt));
            ps.executeUpdate();
        }
    }

    private static void insertTransfer(String id, String status, String reason, Instant createdAt, Instant completedAt)
            throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO transfers (transfer_id, debit_account_id, credit_account_id, amount, currency, reference,
                                       metadata, status, reason, created_at, completed_at, seq)
                VALUES (?, 'alice', 'bob', 2500, 'EUR', 'invoice 42', '{"order": "42"}'::jsonb, ?, ?, ?, ?, 1)""")) {
            ps.setString(1, id);
            ps.setString(2, status);
            ps.setString(3, reason);
            ps.setTimestamp(4, Timestamp.from(createdAt));
            ps.setTimestamp(5, completedAt == null ? null : Timestamp.from(completedAt));
            ps.executeUpdate();
        }
    }
}
