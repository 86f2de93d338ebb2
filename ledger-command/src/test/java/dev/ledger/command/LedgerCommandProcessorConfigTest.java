package dev.ledger.command;

import dev.ledger.kafka.KafkaSettings;
import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.TopicNames;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The command processor's Streams settings on a secured three-broker cluster, as Kafka Streams applies them. */
class LedgerCommandProcessorConfigTest {
    private static final KafkaSettings SECURED_CLUSTER = new KafkaSettings(Map.of(
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            // a properties file cannot loosen the processor's own guarantees
            StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE),
            (short) 3, 2);

    @Test
    void given_a_secured_cluster_then_every_client_of_the_processor_logs_in_and_internal_topics_are_replicated() {
        LedgerConfig config = new LedgerConfig("kafka-1:9093", "jdbc:unused", "u", "p", 0, 12, new byte[16],
                Path.of("/tmp/ledger"), TopicNames.DEFAULT, 10, "ledger", SECURED_CLUSTER);

        StreamsConfig streams = new StreamsConfig(LedgerCommandProcessor.streamsConfig(config));

        assertThat(streams.getInt(StreamsConfig.REPLICATION_FACTOR_CONFIG)).isEqualTo(3);
        assertThat(streams.originalsWithPrefix(StreamsConfig.TOPIC_PREFIX))
                .containsEntry(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2");
        assertThat(streams.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        // one input partition per task: idling would order nothing
        assertThat(streams.getLong(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG)).isEqualTo(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
        for (Map<String, Object> client : Map.of(
                "consumer", streams.getMainConsumerConfigs("ledger-command", "c", 0),
                "producer", streams.getProducerConfigs("p"),
                "admin", streams.getAdminConfigs("a")).values()) {
            assertThat(client).containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                    .containsEntry("bootstrap.servers", "kafka-1:9093");
        }
    }
}
