package dev.ledger.launcher;

import com.zaxxer.hikari.HikariDataSource;
import dev.ledger.api.LedgerApi;
import dev.ledger.command.LedgerCommandProcessor;
import dev.ledger.kafka.KafkaClients;
import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.TopicProvisioner;
import dev.ledger.projection.LedgerProjection;
import dev.ledger.projection.ReadModelDataSource;
import dev.ledger.projection.ReadModelSchema;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The running ledger: topics, command processor, projection and HTTP API, started against the
 * Kafka cluster and PostgreSQL named by the config. Closing it stops every part, newest first.
 */
public final class LedgerApplication implements AutoCloseable {
    public static final String READ_MODEL_SCHEMA = "read_model";
    private static final Logger LOG = LoggerFactory.getLogger(LedgerApplication.class);
    private static final int READ_MODEL_POOL_SIZE = 16;
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

    private final LedgerConfig config;
    private final Deque<AutoCloseable> parts = new ArrayDeque<>();
    private LedgerCommandProcessor processor;
    private LedgerProjection projection;
    private LedgerApi api;

    private LedgerApplication(LedgerConfig config) {
        this.config = config;
    }

    public static LedgerApplication start(LedgerConfig config) {
        return start(config, Map.of());
    }

    /** @param streamsOverrides Kafka Streams settings for both processors (tests shorten timeouts) */
    public static LedgerApplication start(LedgerConfig config, Map<String, Object> streamsOverrides) {
        var app = new LedgerApplication(config);
        try {
            app.startParts(streamsOverrides);
            return app;
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
    }

    private void startParts(Map<String, Object> streamsOverrides) {
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        KafkaClients kafka = KafkaClients.of(config);
        LOG.info("Kafka clients: {}", kafka); // secrets masked
        try (Admin admin = kafka.createAdmin("ledger-topic-provisioner")) {
            TopicProvisioner.ensureTopics(admin, config.topics(), config.partitions(), config.kafka());
        }
        HikariDataSource readModel = ReadModelDataSource.create(config.jdbcUrl(), config.dbUser(), config.dbPassword(),
                READ_MODEL_SCHEMA, READ_MODEL_POOL_SIZE);
        parts.push(readModel);
        ReadModelSchema.migrate(readModel, READ_MODEL_SCHEMA);
        processor = LedgerCommandProcessor.start(config, registry, streamsOverrides);
        parts.push(processor);
        projection = LedgerProjection.start(config, readModel, registry, streamsOverrides);
        parts.push(projection);
        awaitRunning(() -> processor.isRunning() && projection.isRunning());
        // a stuck read-model partition leaves the projection running (see LedgerProjection): the ledger starts
        api = LedgerApi.start(config, readModel, registry, processor::isRunning, projection::isRunning);
        parts.push(api);
        LOG.info("ledger running: HTTP on port {}, Kafka {}, {} partitions", api.port(), config.bootstrapServers(),
                config.partitions());
    }

    private static void awaitRunning(BooleanSupplier running) {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (!running.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the processors did not reach RUNNING within " + STARTUP_TIMEOUT);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting", e);
            }
        }
    }

    public LedgerConfig config() {
        return config;
    }

    /** The HTTP port actually bound (the config may ask for 0). */
    public int httpPort() {
        return api.port();
    }

    public boolean isReady() {
        return processor != null && processor.isRunning() && projection != null && projection.isRunning();
    }

    @Override
    public synchronized void close() {
        while (!parts.isEmpty()) {
            AutoCloseable part = parts.pop();
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("error while stopping {}", part.getClass().getSimpleName(), e);
            }
        }
    }
}
