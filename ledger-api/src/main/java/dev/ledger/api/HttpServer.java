package dev.ledger.api;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.eclipse.jetty.io.ByteBufferPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/** The Javalin (Jetty 12) server: limits, problem documents for framework errors, request metrics. */
final class HttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
    /** The backstop for every route; each write route reads its body under its own, smaller bound (RequestBody). */
    static final long MAX_REQUEST_BYTES = RequestBody.MAX_BATCH_BYTES;
    /** Above the longest outcome wait (30 s) plus a broker acknowledgement: only a bug hits it. */
    static final long ASYNC_TIMEOUT_MS = 60_000;
    /** A batch's Ledger-Position names up to 2000 accounts, and a read's Ledger-Min-Position up to 2048. */
    static final int MAX_HEADER_BYTES = 256 * 1024;
    /**
     * The buffer Jetty writes an answer's headers into, acquired for every answer. Small enough for a bucket of
     * Jetty's buffer pool (at most 64 KiB), so it is reused: a buffer above that is allocated anew and zeroed
     * each time. An answer whose headers need more (a large batch's Ledger-Position) is written again into a
     * buffer of {@link #MAX_HEADER_BYTES}.
     */
    static final int RESPONSE_HEADER_BYTES = 8 * 1024;
    static final long STOP_TIMEOUT_MS = 3_000;
    /**
     * Javalin copies every result into the response through a buffer of this size, allocated per
     * response; its default, Jetty's output buffer (32 KiB), was a fifth of the ledger JVM's allocations
     * in the open-loop profile, for answers that are mostly under 1 KiB.
     */
    static final int RESULT_COPY_BUFFER_BYTES = 4 * 1024;

    private final Javalin javalin;

    private HttpServer(Javalin javalin) {
        this.javalin = javalin;
    }

    /**
     * @param host          the interface to listen on ({@code 127.0.0.1} keeps the API on this machine)
     * @param authenticator checks every matched route's key and rule before its handler runs
     */
    static HttpServer start(String host, int port, ApiMetrics metrics, Authenticator authenticator, List<RouteGroup> groups) {
        Javalin javalin = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = MAX_REQUEST_BYTES;
            config.http.asyncTimeout = ASYNC_TIMEOUT_MS;
            config.http.responseBufferSize = RESULT_COPY_BUFFER_BYTES;
            config.jetty.timeoutStatus = 503;
            config.jetty.modifyHttpConfiguration(http -> {
                http.setSendServerVersion(false);
                http.setRequestHeaderSize(MAX_HEADER_BYTES);
                http.setResponseHeaderSize(RESPONSE_HEADER_BYTES);
                http.setMaxResponseHeaderSize(MAX_HEADER_BYTES);
            });
            config.jetty.modifyServer(server -> server.setStopTimeout(STOP_TIMEOUT_MS));
            config.requestLogger.http((ctx, ms) -> metrics.request(ctx.method().name(), route(ctx), ctx.statusCode()));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> Replies.problem(ctx,
                    Problem.of(slug(e.getStatus()), e.getMessage(), e.getStatus(), e.getMessage())));
            config.routes.exception(Exception.class, (e, ctx) -> Replies.failure(ctx, e));
            config.routes.beforeMatched(authenticator::check);
            groups.forEach(group -> group.register(config.routes));
        });
        javalin.start(host, port);
        return new HttpServer(javalin);
    }

    int port() {
        return javalin.port();
    }

    /** Jetty's buffers for reading requests and writing answers. */
    ByteBufferPool bufferPool() {
        return javalin.jettyServer().server().getByteBufferPool();
    }

    /** The route template, not the path: the metric's cardinality stays fixed. */
    private static String route(Context ctx) {
        try {
            return ctx.endpoint().path;
        } catch (RuntimeException unmatched) {
            return "unmatched";
        }
    }

    private static String slug(int status) {
        return switch (status) {
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 413 -> "request-too-large";
            default -> "http-" + status;
        };
    }

    @Override
    public void close() {
        try {
            javalin.stop();
        } catch (RuntimeException e) {
            log.warn("stopping the HTTP server failed", e);
        }
    }
}
