package dev.ledger.kafka;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.TopicConfig;

import java.util.Objects;
import java.util.Properties;

/**
 * The one place every Kafka client of the ledger gets its base properties: the bootstrap servers and
 * {@link KafkaSettings#clientProperties()} (security and the rest). Each client then adds its own settings,
 * which win over the base.
 */
public final class KafkaClients {
    // StreamsConfig's names, spelled out so that this module needs kafka-clients only (LedgerCommandProcessorConfigTest checks them as Kafka Streams reads them).
    static final String STREAMS_APPLICATION_ID = "application.id";
    static final String STREAMS_REPLICATION_FACTOR = "replication.factor";
    static final String STREAMS_TOPIC_PREFIX = "topic.";
    static final String STREAMS_MAX_TASK_IDLE_MS = "max.task.idle.ms";
    /** StreamsConfig.MAX_TASK_IDLE_MS_DISABLED. */
    static final long MAX_TASK_IDLE_DISABLED = -1L;

    private final String bootstrapServers;
    private final KafkaSettings settings;

    public KafkaClients(String bootstrapServers, KafkaSettings settings) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public static KafkaClients of(LedgerConfig config) {
        return new KafkaClients(config.bootstrapServers(), config.kafka());
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public KafkaSettings settings() {
        return settings;
    }

    public Properties producer(String clientId) {
        return base(clientId);
    }

    public Properties consumer(String clientId) {
        return base(clientId);
    }

    public Properties admin(String clientId) {
        return base(clientId);
    }

    public Admin createAdmin(String clientId) {
        return Admin.create(admin(clientId));
    }

    /**
     * A Kafka Streams application's base: Streams hands the client properties on to its own producers,
     * consumers and admin, and its internal topics (changelogs, repartitions) get the ledger's replication.
     */
    public Properties streams(String applicationId) {
        Properties props = base(null);
        props.put(STREAMS_APPLICATION_ID, applicationId);
        props.put(STREAMS_REPLICATION_FACTOR, (int) settings.replicationFactor());
        props.put(STREAMS_TOPIC_PREFIX + TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(settings.minInsyncReplicas()));
        // Idling only orders the records of a task's several input partitions by time; every task of the
        // ledger reads one partition, so it orders nothing. Left on, Kafka Streams 4.3 builds a log
        // message string for every task with an empty partition on every pass of the stream thread
        // (8.8% of the ledger JVM's allocations in the open-loop profile), whether the log is on or not.
        props.put(STREAMS_MAX_TASK_IDLE_MS, MAX_TASK_IDLE_DISABLED);
        return props;
    }

    private Properties base(String clientId) {
        Properties props = new Properties();
        props.putAll(settings.clientProperties());
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        if (clientId != null) props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return props;
    }

    @Override
    public String toString() {
        return "KafkaClients[bootstrapServers=" + bootstrapServers + ", " + settings + "]";
    }
}
