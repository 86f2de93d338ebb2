package dev.ledger.launcher;

import dev.ledger.api.ApiKeySecret;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.TopicNames;
import dev.ledger.launcher.runtime.Ports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * A whole ledger (processors, projection, API) on the JVM's shared real broker and PostgreSQL,
 * kept apart from other tests by its own topic prefix, application ids and database.
 */
final class LedgerHarness implements AutoCloseable {
    private static final int PARTITIONS = 4;

    private LedgerConfig config;
    private final Map<String, Object> streamsOverrides;
    private final LedgerApplication.Access access;
    private final LedgerClient client;
    private LedgerApplication app;

    /**
     * The ledger's first admin key is the harness's own, given as LEDGER_ADMIN_API_KEY would give it;
     * with {@code configuredAdminKey} false, none is given and the client uses the one the start generated.
     */
    private LedgerHarness(LedgerConfig config, Map<String, Object> streamsOverrides, boolean configuredAdminKey) {
        this(config, streamsOverrides, new LedgerApplication.Access(Ports.LOOPBACK,
                configuredAdminKey ? ApiKeySecret.generate() : null));
    }

    private LedgerHarness(LedgerConfig config, Map<String, Object> streamsOverrides, LedgerApplication.Access access) {
        boolean configuredAdminKey = access.adminApiKey() != null;
        this.config = config;
        this.streamsOverrides = streamsOverrides;
        this.access = access;
        this.app = LedgerApplication.start(config, streamsOverrides, access);
        String adminKey = configuredAdminKey ? access.adminApiKey()
                : app.generatedAdminKey().orElseThrow(() -> new IllegalStateException("the first start generated no admin key"));
        this.client = new LedgerClient(this::baseUrl, config, adminKey);
    }

    /** A ledger started without LEDGER_ADMIN_API_KEY: its first start generates the admin key. */
    static LedgerHarness startWithGeneratedAdminKey(String name) {
        return new LedgerHarness(configFor(name), Map.of(), false);
    }

    static LedgerHarness start(String name) {
        return start(name, Map.of());
    }

    static LedgerHarness start(String name, Map<String, Object> streamsOverrides) {
        return new LedgerHarness(configFor(name), streamsOverrides, true);
    }

    /** On a config of the caller's making from {@link #configFor}: another broker, Kafka client security. */
    static LedgerHarness startOn(LedgerConfig config) {
        return new LedgerHarness(config, Map.of(), true);
    }

    /** With the metrics on a listener of their own (LEDGER_METRICS_PORT), on loopback, any free port. */
    static LedgerHarness startWithMetricsListener(String name) {
        return new LedgerHarness(configFor(name), Map.of(), new LedgerApplication.Access(Ports.LOOPBACK,
                ApiKeySecret.generate()).withMetricsListener(Ports.LOOPBACK, 0));
    }

    /** With {@code partitions} partitions instead of the tests' usual 4 (one: every saga takes the fast path). */
    static LedgerHarness startWithPartitions(String name, int partitions) {
        return new LedgerHarness(configFor(name, partitions), Map.of(), true);
    }

    /** A config of its own on the shared infrastructure: topics, app ids, database, state dir, key. */
    static LedgerConfig configFor(String name) {
        return configFor(name, PARTITIONS);
    }

    private static LedgerConfig configFor(String name, int partitions) {
        String unique = name + "-" + Long.toHexString(System.nanoTime());
        String database = "ledger_" + unique.replaceAll("[^a-zA-Z0-9]", "_").toLowerCase();
        try (var c = DriverManager.getConnection(SharedInfrastructure.jdbcUrl(), SharedInfrastructure.dbUser(),
                SharedInfrastructure.dbPassword()); var s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        try {
            return new LedgerConfig(SharedInfrastructure.bootstrapServers(),
                    SharedInfrastructure.jdbcUrl().replaceFirst("/postgres(\\?|$)", "/" + database + "$1"),
                    SharedInfrastructure.dbUser(), SharedInfrastructure.dbPassword(), 0, partitions, key,
                    Files.createTempDirectory("ledger-state-"), TopicNames.prefixed(unique + "."), LedgerConfig.DEFAULT_COMMIT_INTERVAL_MS,
                    "test-" + unique);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    LedgerConfig config() {
        return config;
    }

    /** A client with the admin key. */
    LedgerClient client() {
        return client;
    }

    /** The admin key the harness's client uses. */
    String adminApiKey() {
        return client.apiKey();
    }

    LedgerApplication app() {
        return app;
    }

    /** Stops every part and starts them again on the same broker, database and state directory. */
    void restart() {
        app.close();
        app = LedgerApplication.start(config, streamsOverrides, access);
    }

    /**
     * Stops every part, deletes the command processor's state directory (every RocksDB store and
     * checkpoint, as a lost disk would), and starts them again.
     */
    void restartWithProcessorStateWiped() {
        app.close();
        Path commandState = config.stateDir().resolve("command");
        try (var paths = Files.walk(commandState)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (Files.exists(commandState)) throw new IllegalStateException("could not delete " + commandState);
        app = LedgerApplication.start(config, streamsOverrides, access);
    }

    /** Stops every part and starts them again on the same broker, database and state, with {@code changed} config. */
    void restartWith(LedgerConfig changed) {
        app.close();
        config = changed;
        app = LedgerApplication.start(config, streamsOverrides, access);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + app.httpPort();
    }

    LedgerClient.Response post(String path, String idempotencyKey, String body, String... headers) {
        return client.post(path, idempotencyKey, body, headers);
    }

    LedgerClient.Response get(String path, String... headers) {
        return client.get(path, headers);
    }

    /** Every committed event on the event topic, read as an auditor would (read_committed). */
    List<EventEnvelope> committedEvents() {
        return client.committedEvents();
    }

    @Override
    public void close() {
        app.close();
    }
}
