package dev.ledger.api;

import io.javalin.config.RoutesConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the server writes answers: completed off the request thread, as the result reader completes them, in
 * buffers Jetty's pool reuses, and whole when their headers are as large as a batch's Ledger-Position.
 */
class HttpServerTest {
    /** A position as a batch of 1000 transfers between 2000 accounts answers it, about 50 KiB. */
    private static final String LARGE_POSITION = IntStream.range(0, 2000)
            .mapToObj(i -> "account-" + i + ":" + (1_000_000 + i)).collect(Collectors.joining(","));
    private static ExecutorService completer;
    private static ApiKeyDirectory keys;
    private static HttpServer server;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        completer = Executors.newSingleThreadExecutor();
        keys = TestKeys.directory();
        var metrics = new ApiMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        server = HttpServer.start("127.0.0.1", 0, metrics, new Authenticator(keys), List.of(new AnswerRoutes()));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (keys != null) keys.close();
        if (completer != null) completer.shutdownNow();
    }

    /** Answers as the transfer routes do: headers and a JSON body, written when a future completes. */
    private static final class AnswerRoutes implements RouteGroup {
        @Override
        public void register(RoutesConfig routes) {
            routes.get("/test/answer", ctx -> Replies.async(ctx, () -> CompletableFuture.runAsync(() -> {
                ctx.header("Ledger-Position", "alice:7,bob:3");
                Replies.json(ctx, 201, Map.of("transferId", "t-1", "status", "COMPLETED"));
            }, completer)));
            routes.get("/test/large-answer", ctx -> Replies.async(ctx, () -> CompletableFuture.runAsync(() -> {
                ctx.header("Ledger-Position", LARGE_POSITION);
                Replies.json(ctx, 201, Map.of("accepted", 1000));
            }, completer)));
        }
    }

    @Test
    void every_answer_is_written_in_buffers_the_pool_reuses() throws Exception {
        var pool = (ArrayByteBufferPool) server.bufferPool();
        long allocatedBefore = allocatedOutsideThePool(pool);

        for (int i = 0; i < 200; i++) {
            var answer = get("/test/answer");
            assertThat(answer.statusCode()).isEqualTo(201);
            assertThat(answer.headers().firstValue("Ledger-Position")).contains("alice:7,bob:3");
            assertThat(ApiJson.MAPPER.readTree(answer.body()).get("status").textValue()).isEqualTo("COMPLETED");
        }

        assertThat(allocatedOutsideThePool(pool)).as("buffers allocated anew, outside the pool's buckets")
                .isEqualTo(allocatedBefore);
    }

    /** Every buffer the pool allocated because no bucket holds its size: such a buffer is never reused. */
    private static long allocatedOutsideThePool(ArrayByteBufferPool pool) {
        return pool.getNoBucketDirectAcquires().values().stream().mapToLong(Long::longValue).sum()
                + pool.getNoBucketHeapAcquires().values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void an_answer_whose_headers_outgrow_the_first_header_buffer_is_written_whole() throws Exception {
        assertThat(LARGE_POSITION.length()).isGreaterThan(HttpServer.RESPONSE_HEADER_BYTES);

        var answer = get("/test/large-answer");

        assertThat(answer.statusCode()).isEqualTo(201);
        assertThat(answer.headers().firstValue("Ledger-Position")).contains(LARGE_POSITION);
        assertThat(ApiJson.MAPPER.readTree(answer.body()).get("accepted").intValue()).isEqualTo(1000);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", TestKeys.bearer(TestKeys.ADMIN)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
