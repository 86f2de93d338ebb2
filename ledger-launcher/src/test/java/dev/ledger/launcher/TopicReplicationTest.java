package dev.ledger.launcher;

import dev.ledger.kafka.KafkaClients;
import dev.ledger.kafka.KafkaSettings;
import dev.ledger.kafka.TopicNames;
import dev.ledger.kafka.TopicProvisioner;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ledger's topics get the configured replication, not the broker's default, on the real (one-node) broker. */
class TopicReplicationTest {
    private static final KafkaClients CLIENTS = new KafkaClients(SharedInfrastructure.bootstrapServers(), KafkaSettings.DEV);

    @Test
    void given_one_copy_then_every_ledger_topic_is_created_with_its_own_min_insync_replicas() throws Exception {
        TopicNames names = TopicNames.prefixed("replication-" + System.nanoTime() + ".");
        try (Admin admin = CLIENTS.createAdmin("test-replication")) {
            // when
            TopicProvisioner.ensureTopics(admin, names, 2, KafkaSettings.DEV);
            // then
            for (String topic : List.of(names.commands(), names.events(), names.results(), names.deadLetters())) {
                var resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
                ConfigEntry minInsync = config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
                assertThat(minInsync.value()).as(topic).isEqualTo("1");
                assertThat(minInsync.source()).as(topic).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
                assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                        .partitions().getFirst().replicas()).as(topic).hasSize(1);
            }
        }
    }

    @Test
    void given_three_copies_on_one_broker_then_the_ledger_does_not_start_and_says_why() {
        TopicNames names = TopicNames.prefixed("replication-" + System.nanoTime() + ".");
        KafkaSettings threeBrokers = new KafkaSettings(Map.of(), (short) 3, 2);
        try (Admin admin = CLIENTS.createAdmin("test-replication")) {
            assertThatThrownBy(() -> TopicProvisioner.ensureTopics(admin, names, 2, threeBrokers))
                    .hasMessageContaining(names.commands())
                    .cause().isInstanceOf(InvalidReplicationFactorException.class);
        }
    }
}
