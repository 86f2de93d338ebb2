package dev.ledger.kafka;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where the ledger's parts find Kafka and PostgreSQL, and how they are tuned.
 * Built from the environment for an external cluster, or by the dev runtime for the embedded one.
 *
 * @param dbUser         the role the projection writes the read model with (and the API keys' store uses)
 * @param dbReadUser     the role the query side reads with: SELECT on the read model only (db/migration
 *                       grants it; created there when missing)
 * @param keys           the HMAC keys by id, and the one that signs what this process writes
 */
public record LedgerConfig(
        String bootstrapServers,
        String jdbcUrl,
        String dbUser,
        String dbPassword,
        String dbReadUser,
        String dbReadPassword,
        int httpPort,
        int partitions,
        LedgerKeys keys,
        Path stateDir,
        TopicNames topics,
        long commitIntervalMs,
        String applicationIdPrefix,
        KafkaSettings kafka) {

    public static final int DEFAULT_PARTITIONS = 12;
    /**
     * The command processor's Kafka Streams commit interval: an answer leaves at the commit, so a request
     * waits for the next one. 3 ms measured best for both the closed-loop throughput and the open-loop
     * latency at 12 partitions (BENCHMARKS.md, "The commit interval"): shorter, the thread spends its time
     * committing; longer, requests wait for the commit.
     */
    public static final long DEFAULT_COMMIT_INTERVAL_MS = 3;
    /** The query side's role unless LEDGER_DB_READ_USER names another. */
    public static final String DEFAULT_READ_USER = "ledger_reader";

    public LedgerConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(dbReadUser, "dbReadUser");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(kafka, "kafka");
        if (partitions < 1) throw new IllegalArgumentException("partitions must be at least 1");
    }

    /** One key (the legacy default id); the default read role, without a password (the embedded PostgreSQL's trust). */
    public LedgerConfig(String bootstrapServers, String jdbcUrl, String dbUser, String dbPassword, int httpPort,
                        int partitions, byte[] ledgerKey, Path stateDir, TopicNames topics, long commitIntervalMs,
                        String applicationIdPrefix, KafkaSettings kafka) {
        this(bootstrapServers, jdbcUrl, dbUser, dbPassword, DEFAULT_READ_USER, "", httpPort, partitions,
                LedgerKeys.single(Objects.requireNonNull(ledgerKey, "ledgerKey")), stateDir, topics, commitIntervalMs,
                applicationIdPrefix, kafka);
    }

    /** One dev broker: plaintext, one replica; one key; the default read role. */
    public LedgerConfig(String bootstrapServers, String jdbcUrl, String dbUser, String dbPassword, int httpPort,
                        int partitions, byte[] ledgerKey, Path stateDir, TopicNames topics, long commitIntervalMs,
                        String applicationIdPrefix) {
        this(bootstrapServers, jdbcUrl, dbUser, dbPassword, httpPort, partitions, ledgerKey, stateDir, topics,
                commitIntervalMs, applicationIdPrefix, KafkaSettings.DEV);
    }

    public LedgerConfig withHttpPort(int port) {
        return new LedgerConfig(bootstrapServers, jdbcUrl, dbUser, dbPassword, dbReadUser, dbReadPassword, port,
                partitions, keys, stateDir, topics, commitIntervalMs, applicationIdPrefix, kafka);
    }

    public LedgerConfig withStateDir(Path dir) {
        return new LedgerConfig(bootstrapServers, jdbcUrl, dbUser, dbPassword, dbReadUser, dbReadPassword, httpPort,
                partitions, keys, dir, topics, commitIntervalMs, applicationIdPrefix, kafka);
    }

    public LedgerConfig withTopics(TopicNames names) {
        return new LedgerConfig(bootstrapServers, jdbcUrl, dbUser, dbPassword, dbReadUser, dbReadPassword, httpPort,
                partitions, keys, stateDir, names, commitIntervalMs, applicationIdPrefix, kafka);
    }

    public LedgerConfig withPartitions(int count) {
        return new LedgerConfig(bootstrapServers, jdbcUrl, dbUser, dbPassword, dbReadUser, dbReadPassword, httpPort,
                count, keys, stateDir, topics, commitIntervalMs, applicationIdPrefix, kafka);
    }

    public LedgerConfig withKafka(KafkaSettings settings) {
        return new LedgerConfig(bootstrapServers, jdbcUrl, dbUser, dbPassword, dbReadUser, dbReadPassword, httpPort,
                partitions, keys, stateDir, topics, commitIntervalMs, applicationIdPrefix, settings);
    }

    public LedgerConfig withKeys(LedgerKeys ring) {
        return new LedgerConfig(bootstrapServers, jdbcUrl, dbUser, dbPassword, dbReadUser, dbReadPassword, httpPort,
                partitions, ring, stateDir, topics, commitIntervalMs, applicationIdPrefix, kafka);
    }

    public LedgerConfig withReadUser(String user, String password) {
        return new LedgerConfig(bootstrapServers, jdbcUrl, dbUser, dbPassword, user, password, httpPort,
                partitions, keys, stateDir, topics, commitIntervalMs, applicationIdPrefix, kafka);
    }

    /** Passwords and keys hidden: the config may be logged. */
    @Override
    public String toString() {
        return "LedgerConfig[bootstrapServers=" + bootstrapServers + ", jdbcUrl=" + jdbcUrl + ", dbUser=" + dbUser
                + ", dbPassword=" + KafkaSettings.MASK + ", dbReadUser=" + dbReadUser + ", dbReadPassword="
                + KafkaSettings.MASK + ", httpPort=" + httpPort + ", partitions=" + partitions + ", keys=" + keys
                + ", stateDir=" + stateDir + ", topics=" + topics + ", applicationIdPrefix=" + applicationIdPrefix
                + ", kafka=" + kafka + "]";
    }

    /**
     * Reads LEDGER_* variables; returns null when no external cluster is configured. Every secret
     * (LEDGER_DB_PASSWORD, LEDGER_DB_READ_PASSWORD, LEDGER_KEY_HEX) may instead come from the file its
     * {@code _FILE} variable names ({@link Secrets}); the keys from LEDGER_KEYS_FILE ({@link LedgerKeys}).
     *
     * @param fallbackKey the data directory's key, the legacy default id's unless LEDGER_KEY_HEX is set; may be null
     */
    public static LedgerConfig fromEnvironment(Map<String, String> env, Path stateDir, byte[] fallbackKey) {
        String bootstrap = env.get("LEDGER_KAFKA_BOOTSTRAP_SERVERS");
        String jdbc = env.get("LEDGER_DB_URL");
        if (bootstrap == null || jdbc == null) return null;
        return new LedgerConfig(bootstrap, jdbc,
                env.getOrDefault("LEDGER_DB_USER", "postgres"),
                Secrets.fromEnvironment(env, "LEDGER_DB_PASSWORD").orElse(""),
                env.getOrDefault("LEDGER_DB_READ_USER", DEFAULT_READ_USER),
                Secrets.fromEnvironment(env, "LEDGER_DB_READ_PASSWORD").orElse(""),
                Integer.parseInt(env.getOrDefault("LEDGER_HTTP_PORT", "8080")),
                Integer.parseInt(env.getOrDefault("LEDGER_PARTITIONS", String.valueOf(DEFAULT_PARTITIONS))),
                LedgerKeys.fromEnvironment(env, fallbackKey), stateDir, TopicNames.DEFAULT,
                Long.parseLong(env.getOrDefault("LEDGER_COMMIT_INTERVAL_MS", String.valueOf(DEFAULT_COMMIT_INTERVAL_MS))),
                env.getOrDefault("LEDGER_APPLICATION_ID_PREFIX", "ledger"),
                KafkaSettings.fromEnvironment(env));
    }
}
