package dev.ledger.api;

import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Prometheus scrape on a listener of its own ({@code LEDGER_METRICS_PORT}), without an API key: a
 * scraper then needs no secret, and the metrics stay off the API's network. Nothing but
 * {@code GET /metrics} is served, no request body is read, and it binds loopback unless told otherwise, so
 * that only this machine (a node agent, a sidecar) reaches it: metrics name accounts' partitions and the
 * ledger's load, which is not for everyone.
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
    /** A scrape has no body; anything larger is not a scrape. */
    private static final long MAX_REQUEST_BYTES = 1024;
    private static final long STOP_TIMEOUT_MS = 1_000;

    private final Javalin javalin;

    private MetricsServer(Javalin javalin) {
        this.javalin = javalin;
    }

    /** @param host the interface to listen on ({@code 127.0.0.1}: this machine only) */
    public static MetricsServer start(String host, int port, PrometheusMeterRegistry registry) {
        Javalin javalin = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = MAX_REQUEST_BYTES;
            config.jetty.modifyHttpConfiguration(http -> http.setSendServerVersion(false));
            config.jetty.modifyServer(server -> server.setStopTimeout(STOP_TIMEOUT_MS));
            new MetricsRoutes(registry).register(config.routes);
        });
        javalin.start(host, port);
        log.info("metrics listening on {}:{}{}", host, javalin.port(), MetricsRoutes.PATH);
        return new MetricsServer(javalin);
    }

    /** The port actually bound (0 asks for any free one). */
    public int port() {
        return javalin.port();
    }

    @Override
    public void close() {
        try {
            javalin.stop();
        } catch (RuntimeException e) {
            log.warn("stopping the metrics server failed", e);
        }
    }
}
