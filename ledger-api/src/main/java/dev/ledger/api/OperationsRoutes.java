package dev.ledger.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Liveness, readiness (every dependency answers) and Prometheus metrics. */
final class OperationsRoutes implements RouteGroup {
    static final long CHECK_TIMEOUT_MS = 2_000;

    /** One dependency the API needs; the check completes with true when it answers. */
    record HealthCheck(String name, Supplier<CompletableFuture<Boolean>> check) {
    }

    record Health(String status, Map<String, String> checks) {
    }

    private final List<HealthCheck> checks;
    private final PrometheusMeterRegistry registry;

    OperationsRoutes(List<HealthCheck> checks, PrometheusMeterRegistry registry) {
        this.checks = List.copyOf(checks);
        this.registry = registry;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/health/live", ctx -> Replies.json(ctx, 200, new Health("UP", Map.of())));
        routes.get("/health/ready", this::ready);
        routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
    }

    private void ready(Context ctx) {
        Replies.async(ctx, () -> {
            var results = new LinkedHashMap<String, CompletableFuture<Boolean>>();
            checks.forEach(c -> results.put(c.name(), run(c)));
            return CompletableFuture.allOf(results.values().toArray(CompletableFuture[]::new)).thenRun(() -> {
                var report = new LinkedHashMap<String, String>();
                results.forEach((name, up) -> report.put(name, up.join() ? "UP" : "DOWN"));
                boolean ready = !report.containsValue("DOWN");
                Replies.json(ctx, ready ? 200 : 503, new Health(ready ? "UP" : "DOWN", report));
            });
        });
    }

    /** A check that throws, fails or hangs counts as down: readiness never waits past its bound. */
    private static CompletableFuture<Boolean> run(HealthCheck check) {
        CompletableFuture<Boolean> started;
        try {
            started = check.check().get();
        } catch (RuntimeException e) {
            started = CompletableFuture.failedFuture(e);
        }
        // a future of our own: a check's future may belong to a client that forbids completing it (Kafka's do)
        var up = new CompletableFuture<Boolean>();
        started.whenComplete((answered, error) -> up.complete(error == null && Boolean.TRUE.equals(answered)));
        return up.completeOnTimeout(false, CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }
}
