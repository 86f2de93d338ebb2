package dev.ledger.api;

import dev.ledger.kafka.KafkaClients;
import dev.ledger.kafka.LedgerConfig;
import dev.ledger.api.OperationsRoutes.Part;
import dev.ledger.kafka.LedgerTopics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The HTTP API: writes become commands on {@code ledger.commands} and are answered from
 * {@code ledger.results}; reads come from the PostgreSQL read model. No request thread ever waits:
 * a request waiting for an outcome or for the read model is a future, and their number is bounded.
 */
public final class LedgerApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LedgerApi.class);

    /** Requests waiting for an outcome (and, separately, for the read model); beyond it, 429. */
    static final int MAX_WAITING_REQUESTS = 10_000;
    /**
     * Accounts named by all reads waiting for a Ledger-Min-Position together; beyond it, 429. Eight
     * batch-sized tokens (LedgerPosition.MAX_ACCOUNTS each), or thousands of ordinary ones.
     */
    static final int MAX_WAITING_POSITION_NAMES = 8 * LedgerPosition.MAX_ACCOUNTS;
    /** JDBC threads of the read side; about the size of a connection pool. */
    static final int READ_THREADS = 8;
    static final int READ_QUEUE_SIZE = 1_000;
    static final long POSITION_POLL_INTERVAL_MS = 10;
    /**
     * How long a single request's command waits for others bound for the same partition before it
     * leaves as one record: a millisecond adds little to an answer that takes a commit cycle, and
     * under load gathers the commands of many concurrent requests into one record.
     */
    static final long COMMAND_LINGER_MS = 1;
    /** How long start() may take to find the results topic and fix the listener's position. */
    static final Duration LISTENER_START_TIMEOUT = Duration.ofSeconds(60);

    private final HttpServer http;
    private final List<AutoCloseable> parts;

    private LedgerApi(HttpServer http, List<AutoCloseable> parts) {
        this.http = http;
        this.parts = parts;
    }

    /**
     * Starts the API and returns once it listens. The results listener is positioned first, so
     * that no result of an accepted request can be missed.
     *
     * @param readModel          connections whose schema is the read model's
     * @param apiKeys            the API keys (migrated and bootstrapped by the caller)
     * @param httpHost           the interface HTTP listens on
     * @param metricsOnApiPort   whether the API port serves {@code /metrics} (to a {@code read} key); false when
     *                           a {@link MetricsServer} of its own serves them
     * @param commandProcessorUp whether the command processor runs: part of the write path's readiness
     * @param projectionUp       whether the projection runs: part of the read model's readiness
     */
    public static LedgerApi start(LedgerConfig config, DataSource readModel, ApiKeyStore apiKeys, String httpHost,
                                  boolean metricsOnApiPort, PrometheusMeterRegistry registry,
                                  BooleanSupplier commandProcessorUp,
                                  BooleanSupplier projectionUp) {
        var started = new ArrayList<AutoCloseable>(); // closed in reverse if a later part fails to start
        try {
            var topics = new LedgerTopics(config.topics());
            var metrics = new ApiMetrics(registry);
            var timer = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("ledger-api-timer").daemon().factory());
            timer.setRemoveOnCancelPolicy(true); // a waiter answered in time leaves no task behind
            started.add(timer::shutdownNow);
            var readExecutor = new ThreadPoolExecutor(READ_THREADS, READ_THREADS, 0, TimeUnit.MILLISECONDS,
                    new ArrayBlockingQueue<>(READ_QUEUE_SIZE),
                    Thread.ofPlatform().name("ledger-api-read-", 0).daemon().factory(),
                    new ThreadPoolExecutor.AbortPolicy());
            started.add(readExecutor::shutdownNow);

            var kafkaClients = KafkaClients.of(config);
            var waiters = new ResultWaiters(MAX_WAITING_REQUESTS, timer);
            started.add(waiters::close);
            var listener = new ResultListener(kafkaClients, topics.results(), waiters, metrics);
            started.add(listener);
            listener.start(LISTENER_START_TIMEOUT);
            var gateway = new CommandGateway(CommandGateway.producer(kafkaClients),
                    topics.commands().name(), COMMAND_LINGER_MS, waiters, metrics, Clock.systemUTC());
            started.add(gateway);
            gateway.warmUp();
            Admin admin = kafkaClients.createAdmin("ledger-api-health-" + UUID.randomUUID());
            started.add(() -> admin.close(Duration.ofSeconds(2)));

            var keys = ApiKeyDirectory.start(apiKeys::activeKeys);
            started.add(keys);
            var reads = new ReadModel(readModel);
            var stuck = new StuckPartitions(readModel, topics.events().name(),
                    eventPartitions(admin, topics.events().name()), System::nanoTime);
            var positions = new PositionWaiter(reads, MAX_WAITING_REQUESTS, MAX_WAITING_POSITION_NAMES,
                    POSITION_POLL_INTERVAL_MS, timer);
            started.add(positions);
            metrics.waiting("outcome", waiters::waiting);
            metrics.waiting("position", positions::waiting);

            var checks = List.of(
                    new OperationsRoutes.HealthCheck("kafka", Part.WRITE, () -> kafkaAnswers(admin)),
                    new OperationsRoutes.HealthCheck("resultsListener", Part.WRITE,
                            () -> CompletableFuture.completedFuture(listener.isReady())),
                    new OperationsRoutes.HealthCheck("commandProcessor", Part.WRITE,
                            () -> CompletableFuture.completedFuture(commandProcessorUp.getAsBoolean())),
                    new OperationsRoutes.HealthCheck("postgres", Part.READ_MODEL, () -> CompletableFuture.supplyAsync(() -> {
                        reads.ping();
                        return true;
                    }, readExecutor)),
                    new OperationsRoutes.HealthCheck("projection", Part.READ_MODEL,
                            () -> CompletableFuture.completedFuture(projectionUp.getAsBoolean())));
            var routes = new ArrayList<RouteGroup>(List.of(
                    new ApiKeyRoutes(apiKeys, keys, readExecutor),
                    new AccountRoutes(gateway),
                    new TransferRoutes(gateway),
                    new QueryRoutes(reads, stuck, positions, readExecutor, Clock.systemUTC()),
                    new OperationsRoutes(checks, () -> CompletableFuture.supplyAsync(stuck::list, readExecutor))));
            if (metricsOnApiPort) routes.add(new MetricsRoutes(registry));
            HttpServer http = HttpServer.start(httpHost, config.httpPort(), metrics, new Authenticator(keys), routes);
            log.info("ledger API listening on {}:{}", httpHost, http.port());

            // stop order: answer the waiting requests (503), stop HTTP, then what it used
            return new LedgerApi(http, List.of(waiters::close, positions, http, listener, gateway,
                    () -> admin.close(Duration.ofSeconds(2)), keys, readExecutor::shutdownNow, timer::shutdownNow));
        } catch (RuntimeException e) {
            closeAll(started.reversed());
            throw e;
        }
    }

    /** The port actually bound (the config may ask for 0). */
    public int port() {
        return http.port();
    }

    @Override
    public void close() {
        closeAll(parts);
    }

    /** The event topic's real partition count: what its producer partitions keys over. */
    private static int eventPartitions(Admin admin, String topic) {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(LISTENER_START_TIMEOUT.toSeconds(),
                    TimeUnit.SECONDS).get(topic).partitions().size();
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw new IllegalStateException("cannot read the partition count of " + topic + ": " + e.getMessage(), e);
        }
    }

    private static CompletableFuture<Boolean> kafkaAnswers(Admin admin) {
        var answered = new CompletableFuture<Boolean>();
        admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) OperationsRoutes.CHECK_TIMEOUT_MS))
                .nodes().whenComplete((nodes, error) -> answered.complete(error == null && !nodes.isEmpty()));
        return answered;
    }

    private static void closeAll(List<AutoCloseable> parts) {
        for (AutoCloseable part : parts) {
            try {
                part.close();
            } catch (Exception e) {
                log.warn("stopping a part of the API failed", e);
            }
        }
    }
}
