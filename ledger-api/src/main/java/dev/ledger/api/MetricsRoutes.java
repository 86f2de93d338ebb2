package dev.ledger.api;

import io.javalin.config.RoutesConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * {@code GET /metrics}: the Prometheus scrape of every meter of this process. Served on the API port
 * behind a {@code read} key, or on a port of its own without one ({@link MetricsServer}), never both.
 */
final class MetricsRoutes implements RouteGroup {
    static final String PATH = "/metrics";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    MetricsRoutes(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(PATH, ctx -> ctx.contentType(PROMETHEUS_TEXT).result(registry.scrape()));
    }
}
