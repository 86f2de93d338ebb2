package dev.ledger.launcher;

import com.zaxxer.hikari.HikariDataSource;
import dev.ledger.api.ApiKeySecret;
import dev.ledger.api.ApiKeyStore;
import dev.ledger.api.LedgerApi;
import dev.ledger.api.MetricsServer;
import dev.ledger.command.LedgerCommandProcessor;
import dev.ledger.kafka.KafkaClients;
import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.Secrets;
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
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;

/**
 * The running ledger: topics, command processor, projection and HTTP API, started against the
 * Kafka cluster and PostgreSQL named by the config. Closing it stops every part, newest first.
 */
public final class LedgerApplication implements AutoCloseable {
    public static final String READ_MODEL_SCHEMA = "read_model";
    private static final Logger LOG = LoggerFactory.getLogger(LedgerApplication.class);
    /** The projection's writers and the key store. */
    private static final int READ_MODEL_POOL_SIZE = 16;
    /** About the API's read threads (LedgerApi.READ_THREADS) plus the health check and the stuck-partition reads. */
    private static final int QUERY_POOL_SIZE = 12;
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

    private final LedgerConfig config;
    private final Deque<AutoCloseable> parts = new ArrayDeque<>();
    private LedgerCommandProcessor processor;
    private LedgerProjection projection;
    private LedgerApi api;
    private MetricsServer metrics;
    private final Access access;
    private Optional<String> generatedAdminKey = Optional.empty();

    /**
     * Who can reach the API and the metrics, and with what.
     *
     * @param httpHost    the interface HTTP listens on; 127.0.0.1 unless told otherwise
     * @param adminApiKey the first admin key (LEDGER_ADMIN_API_KEY or its _FILE), used on the first start only; null:
     *                    a key is generated and returned once by {@link #generatedAdminKey()}
     * @param metricsHost the interface the metrics listener binds (LEDGER_METRICS_HOST, default 127.0.0.1)
     * @param metricsPort the metrics listener's port (LEDGER_METRICS_PORT; 0: any free one); null: no listener
     *                    of its own, {@code /metrics} is on the API port behind a {@code read} key
     */
    public record Access(String httpHost, String adminApiKey, String metricsHost, Integer metricsPort) {
        public static final String ADMIN_API_KEY_VARIABLE = "LEDGER_ADMIN_API_KEY";
        public static final String METRICS_PORT_VARIABLE = "LEDGER_METRICS_PORT";
        public static final String METRICS_HOST_VARIABLE = "LEDGER_METRICS_HOST";
        public static final String LOOPBACK_HOST = "127.0.0.1";
        public static final Access LOOPBACK = new Access(LOOPBACK_HOST, null);

        public Access {
            if (httpHost == null || httpHost.isBlank()) throw new IllegalArgumentException("an HTTP host is required");
            String problem = adminApiKey == null ? null : ApiKeySecret.configuredKeyProblem(adminApiKey);
            if (problem != null) throw new IllegalArgumentException(ADMIN_API_KEY_VARIABLE + " " + problem);
            if (metricsHost == null || metricsHost.isBlank()) throw new IllegalArgumentException(METRICS_HOST_VARIABLE + " is blank");
            if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
                throw new IllegalArgumentException(METRICS_PORT_VARIABLE + " must be between 0 and 65535, was " + metricsPort);
            }
        }

        /** Metrics on the API port, as before a port of their own existed. */
        public Access(String httpHost, String adminApiKey) {
            this(httpHost, adminApiKey, LOOPBACK_HOST, null);
        }

        /** The admin key and the metrics listener from the environment, where it sets them. */
        public static Access of(String httpHost, Map<String, String> env) {
            String key = Secrets.fromEnvironment(env, ADMIN_API_KEY_VARIABLE).orElse(null);
            String port = env.get(METRICS_PORT_VARIABLE);
            Integer metricsPort;
            try {
                metricsPort = port == null || port.isBlank() ? null : Integer.valueOf(port.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(METRICS_PORT_VARIABLE + " is not a port number: " + port);
            }
            return new Access(httpHost, key == null || key.isEmpty() ? null : key,
                    env.getOrDefault(METRICS_HOST_VARIABLE, LOOPBACK_HOST), metricsPort);
        }

        /** The same, with the metrics on a listener of their own. */
        public Access withMetricsListener(String host, int port) {
            return new Access(httpHost, adminApiKey, host, port);
        }
    }

    private LedgerApplication(LedgerConfig config, Access access) {
        this.config = config;
        this.access = access;
    }

    public static LedgerApplication start(LedgerConfig config) {
        return start(config, Map.of());
    }

    /** @param streamsOverrides Kafka Streams settings for both processors (tests shorten timeouts) */
    public static LedgerApplication start(LedgerConfig config, Map<String, Object> streamsOverrides) {
        return start(config, streamsOverrides, Access.LOOPBACK);
    }

    public static LedgerApplication start(LedgerConfig config, Map<String, Object> streamsOverrides, Access access) {
        var app = new LedgerApplication(config, access);
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
        ReadModelSchema.migrate(readModel, READ_MODEL_SCHEMA, config.dbReadUser()); // also grants the query side's role
        // the query side reads with a role of its own that may only SELECT the read model: nothing on the read
        // path can change a balance, whatever a query does
        HikariDataSource queries = ReadModelDataSource.createReadOnly(config.jdbcUrl(), config.dbReadUser(),
                config.dbReadPassword(), READ_MODEL_SCHEMA, QUERY_POOL_SIZE);
        parts.push(queries);
        // the keys' tables are in their own schema; the writing pool reaches them by qualified names (a revocation
        // writes there, so the keys are not the query side's)
        var apiKeys = new ApiKeyStore(readModel);
        apiKeys.migrate();
        generatedAdminKey = apiKeys.bootstrap(access.adminApiKey());
        processor = LedgerCommandProcessor.start(config, registry, streamsOverrides);
        parts.push(processor);
        projection = LedgerProjection.start(config, readModel, registry, streamsOverrides);
        parts.push(projection);
        awaitRunning(() -> processor.isRunning() && projection.isRunning());
        // a stuck read-model partition leaves the projection running (see LedgerProjection): the ledger starts
        boolean ownMetricsListener = access.metricsPort() != null;
        if (ownMetricsListener) {
            metrics = MetricsServer.start(access.metricsHost(), access.metricsPort(), registry);
            parts.push(metrics);
        }
        api = LedgerApi.start(config, queries, apiKeys, access.httpHost(), !ownMetricsListener, registry,
                processor::isRunning, projection::isRunning);
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

    public Access access() {
        return access;
    }

    /** The metrics listener's port, when the metrics have one of their own. */
    public OptionalInt metricsPort() {
        return metrics == null ? OptionalInt.empty() : OptionalInt.of(metrics.port());
    }

    /**
     * The admin key this start created because none existed and none was configured: to be shown
     * once (only its hash is kept), never logged.
     */
    public Optional<String> generatedAdminKey() {
        return generatedAdminKey;
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
