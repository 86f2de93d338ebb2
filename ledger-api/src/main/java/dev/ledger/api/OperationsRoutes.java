package dev.ledger.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Liveness and readiness ({@link MetricsRoutes} serves the metrics). Readiness has two parts that fail apart: the write path
 * (Kafka, the results listener, the command processor: accepting and deciding commands) and the read
 * model (PostgreSQL, the projection, and no partition stuck on an event).
 * <ul>
 *   <li>{@code /health/ready}: 200 while this instance can serve at all (every check answers); a stuck
 *       partition shows as {@code readModel: DEGRADED} with the stuck events listed, but does not take the
 *       instance out of a load balancer: its writes and its other partitions' reads still work, and the
 *       reads of the stuck partition answer 503 themselves.</li>
 *   <li>{@code /health/ready/write}: 200 while the write path is up.</li>
 *   <li>{@code /health/ready/read-model}: 200 only while every read is current-capable: up and nothing
 *       stuck.</li>
 * </ul>
 */
final class OperationsRoutes implements RouteGroup {
    static final long CHECK_TIMEOUT_MS = 2_000;

    enum Part { WRITE, READ_MODEL }

    /** One dependency the API needs; the check completes with true when it answers. */
    record HealthCheck(String name, Part part, Supplier<CompletableFuture<Boolean>> check) {
    }

    /** {@code components}: write and readModel, each UP, DEGRADED (read model only: a partition stuck) or DOWN. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record Health(String status, Map<String, String> checks, Map<String, String> components,
                  List<StuckPartitions.Stuck> stuckPartitions) {
    }

    private static final String UP = "UP";
    private static final String DOWN = "DOWN";
    private static final String DEGRADED = "DEGRADED";

    private final List<HealthCheck> checks;
    private final Supplier<CompletableFuture<List<StuckPartitions.Stuck>>> stuck;

    /** @param stuck the partitions the read model is stuck on */
    OperationsRoutes(List<HealthCheck> checks, Supplier<CompletableFuture<List<StuckPartitions.Stuck>>> stuck) {
        this.checks = List.copyOf(checks);
        this.stuck = stuck;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/health/live", ctx -> Replies.json(ctx, 200, new Health(UP, Map.of(), Map.of(), List.of())));
        routes.get("/health/ready", ctx -> ready(ctx, report -> !report.components().containsValue(DOWN)));
        routes.get("/health/ready/write", ctx -> ready(ctx, report -> UP.equals(report.components().get("write"))));
        routes.get("/health/ready/read-model",
                ctx -> ready(ctx, report -> UP.equals(report.components().get("readModel"))));
    }

    private void ready(Context ctx, Predicate<Health> isReady) {
        Replies.async(ctx, () -> {
            var results = new LinkedHashMap<HealthCheck, CompletableFuture<Boolean>>();
            checks.forEach(c -> results.put(c, run(c.check())));
            CompletableFuture<List<StuckPartitions.Stuck>> stuckNow = bounded(stuck, null);
            var all = new ArrayList<CompletableFuture<?>>(results.values());
            all.add(stuckNow);
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenRun(() -> {
                var report = new LinkedHashMap<String, String>();
                var parts = new LinkedHashMap<String, String>();
                boolean writeUp = true;
                boolean readUp = true;
                for (var e : results.entrySet()) {
                    boolean up = e.getValue().join();
                    report.put(e.getKey().name(), up ? UP : DOWN);
                    if (!up && e.getKey().part() == Part.WRITE) writeUp = false;
                    if (!up && e.getKey().part() == Part.READ_MODEL) readUp = false;
                }
                List<StuckPartitions.Stuck> stuckList = stuckNow.join();
                report.put("stuckPartitions", stuckList == null ? DOWN : stuckList.isEmpty() ? UP : DEGRADED);
                parts.put("write", writeUp ? UP : DOWN);
                parts.put("readModel", !readUp || stuckList == null ? DOWN : stuckList.isEmpty() ? UP : DEGRADED);
                String status = parts.containsValue(DOWN) ? DOWN : parts.containsValue(DEGRADED) ? DEGRADED : UP;
                Health health = new Health(status, report, parts, stuckList == null ? List.of() : stuckList);
                Replies.json(ctx, isReady.test(health) ? 200 : 503, health);
            });
        });
    }

    /** A check that throws, fails or hangs counts as down: readiness never waits past its bound. */
    private static CompletableFuture<Boolean> run(Supplier<CompletableFuture<Boolean>> check) {
        return bounded(check, false).thenApply(Boolean.TRUE::equals);
    }

    /** The check's answer, or {@code otherwise} when it throws, fails or outlasts {@link #CHECK_TIMEOUT_MS}. */
    private static <T> CompletableFuture<T> bounded(Supplier<CompletableFuture<T>> check, T otherwise) {
        CompletableFuture<T> started;
        try {
            started = check.get();
        } catch (RuntimeException e) {
            started = CompletableFuture.failedFuture(e);
        }
        // a future of our own: a check's future may belong to a client that forbids completing it (Kafka's do)
        var answer = new CompletableFuture<T>();
        started.whenComplete((answered, error) -> answer.complete(error == null ? answered : otherwise));
        return answer.completeOnTimeout(otherwise, CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }
}
