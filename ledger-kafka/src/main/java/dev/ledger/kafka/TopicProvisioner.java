package dev.ledger.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the ledger's topics at start if they are missing. Commands and events are kept forever
 * (an accepted command or a saga step in flight is never dropped; the event log is the system of
 * record and is never compacted); results are only for callers waiting now. Every topic has the
 * configured replication factor and {@code min.insync.replicas} (3 and 2 on a three-broker cluster: a
 * write acknowledged with {@code acks=all} is on two brokers, and one broker may be down). A topic that
 * already exists keeps its settings.
 */
public final class TopicProvisioner {
    static final long RESULTS_RETENTION_MS = Duration.ofHours(6).toMillis();
    private static final long TIMEOUT_MS = 30_000;

    private TopicProvisioner() {
    }

    public static void ensureTopics(Admin admin, TopicNames names, int partitions, KafkaSettings replication) {
        String minInsync = String.valueOf(replication.minInsyncReplicas());
        Map<String, String> forever = Map.of(
                TopicConfig.RETENTION_MS_CONFIG, "-1",
                TopicConfig.RETENTION_BYTES_CONFIG, "-1",
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minInsync);
        short copies = replication.replicationFactor();
        List<NewTopic> topics = List.of(
                topic(names.commands(), partitions, copies, forever),
                topic(names.events(), partitions, copies, forever),
                topic(names.results(), partitions, copies, Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, String.valueOf(RESULTS_RETENTION_MS),
                        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minInsync)),
                topic(names.deadLetters(), 1, copies, forever));
        for (NewTopic topic : topics) {
            try {
                admin.createTopics(List.of(topic)).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + topic.name(), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topics", e);
            } catch (TimeoutException e) {
                throw new IllegalStateException("Kafka did not create topic " + topic.name() + " in time", e);
            }
        }
    }

    private static NewTopic topic(String name, int partitions, short replicationFactor, Map<String, String> configs) {
        return new NewTopic(name, Optional.of(partitions), Optional.of(replicationFactor)).configs(configs);
    }
}
