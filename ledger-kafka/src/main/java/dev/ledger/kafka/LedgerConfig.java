package dev.ledger.kafka;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where the ledger's parts find Kafka and PostgreSQL, and how they are tuned.
 * Built from the environment for an external cluster, or by the dev runtime for the embedded one.
 */
public record LedgerConfig(
        String bootstrapServers,
        String jdbcUrl,
        String dbUser,
        String dbPassword,
        int httpPort,
        int partitions,
        byte[] ledgerKey,
        Path stateDir,
        TopicNames topics,
        long commitIntervalMs,
        String applicationIdPrefix,
        KafkaSettings kafka) {

    public static final int DEFAULT_PARTITIONS = 12;
    public static final long DEFAULT_COMMIT_INTERVAL_MS = 10;

    public LedgerConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(ledgerKey, "ledgerKey");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(kafka, "kafka");
        if (ledgerKey.length < 16) throw new IllegalArgumentException("the ledger key must hold at least 16 bytes");
        if (partitions < 1) throw new IllegalArgumentException("partitions must be at least 1");
    }

    /** One dev broker: plaintext, one replica. */
    public LedgerConfig(String bootstrapServers, String jdbcUrl, String dbUser, String dbPassword, int httpPort,
                        int partitions, byte[] ledgerKey, Path stateDir, TopicNames topics, long commitIntervalMs,
                        String applicationIdPrefix) {
        this(bootstrapServers, jdbcUrl, dbUser, dbPassword, httpPort, partitions, ledgerKey, stateDir, topics,
                commitIntervalMs, applicationIdPrefix, KafkaSettings.DEV);
    }

    public LedgerConfig withHttpPort(int port) {
        return new LedgerConfig(bootstrapServers, jdbcUrl, dbUser, dbPassword, port, partitions, ledgerKey,
                stateDir, topics, commitIntervalMs, applicationIdPrefix, kafka);
    }

    public LedgerConfig withStateDir(Path dir) {
        return new LedgerConfig(bootstrapServers, jdbcUrl, dbUser, dbPassword, httpPort, partitions, ledgerKey,
                dir, topics, commitIntervalMs, applicationIdPrefix, kafka);
    }

    public LedgerConfig withTopics(TopicNames names) {
        return new LedgerConfig(bootstrapServers, jdbcUrl, dbUser, dbPassword, httpPort, partitions, ledgerKey,
                stateDir, names, commitIntervalMs, applicationIdPrefix, kafka);
    }

    public LedgerConfig withPartitions(int count) {
        return new LedgerConfig(bootstrapServers, jdbcUrl, dbUser, dbPassword, httpPort, count, ledgerKey,
                stateDir, topics, commitIntervalMs, applicationIdPrefix, kafka);
    }

    public LedgerConfig withKafka(KafkaSettings settings) {
        return new LedgerConfig(bootstrapServers, jdbcUrl, dbUser, dbPassword, httpPort, partitions, ledgerKey,
                stateDir, topics, commitIntervalMs, applicationIdPrefix, settings);
    }

    /** Passwords and the key hidden: the config may be logged. */
    @Override
    public String toString() {
        return "LedgerConfig[bootstrapServers=" + bootstrapServers + ", jdbcUrl=" + jdbcUrl + ", dbUser=" + dbUser
                + ", dbPassword=" + KafkaSettings.MASK + ", httpPort=" + httpPort + ", partitions=" + partitions
                + ", stateDir=" + stateDir + ", topics=" + topics + ", applicationIdPrefix=" + applicationIdPrefix
                + ", kafka=" + kafka + "]";
    }

    /**
     * Reads LEDGER_* variables; returns null when no external cluster is configured. Every secret
     * (LEDGER_DB_PASSWORD, LEDGER_KEY_HEX) may instead come from the file its {@code _FILE} variable names.
     */
    public static LedgerConfig fromEnvironment(Map<String, String> env, Path stateDir, byte[] fallbackKey) {
        String bootstrap = env.get("LEDGER_KAFKA_BOOTSTRAP_SERVERS");
        String jdbc = env.get("LEDGER_DB_URL");
        if (bootstrap == null || jdbc == null) return null;
        byte[] key = Secrets.fromEnvironment(env, "LEDGER_KEY_HEX").map(java.util.HexFormat.of()::parseHex).orElse(fallbackKey);
        return new LedgerConfig(bootstrap, jdbc,
                env.getOrDefault("LEDGER_DB_USER", "postgres"),
                Secrets.fromEnvironment(env, "LEDGER_DB_PASSWORD").orElse(""),
                Integer.parseInt(env.getOrDefault("LEDGER_HTTP_PORT", "8080")),
                Integer.parseInt(env.getOrDefault("LEDGER_PARTITIONS", String.valueOf(DEFAULT_PARTITIONS))),
                key, stateDir, TopicNames.DEFAULT,
                Long.parseLong(env.getOrDefault("LEDGER_COMMIT_INTERVAL_MS", String.valueOf(DEFAULT_COMMIT_INTERVAL_MS))),
                env.getOrDefault("LEDGER_APPLICATION_ID_PREFIX", "ledger"),
                KafkaSettings.fromEnvironment(env));
    }
}
