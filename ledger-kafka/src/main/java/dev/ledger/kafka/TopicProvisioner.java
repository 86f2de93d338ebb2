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
 * record and is never compacted); results are only for callers waiting now.
 */
public final class TopicProvisioner {
    static final long RESULTS_RETENTION_MS = Duration.ofHours(6).toMillis();
    private static final long TIMEOUT_MS = 30_000;

    private TopicProvisioner() {
    }

    public static void ensureTopics(Admin admin, TopicNames names, int partitions) {
        Map<String, String> forever = Map.of(
                TopicConfig.RETENTION_MS_CONFIG, "-1",
                TopicConfig.RETENTION_BYTES_CONFIG, "-1",
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
        List<NewTopic> topics = List.of(
                topic(names.commands(), partitions, forever),
                topic(names.events(), partitions, forever),
                topic(names.results(), partitions, Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, String.valueOf(RESULTS_RETENTION_MS))),
                topic(names.deadLetters(), 1, forever));
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

    /** Replication: the broker's default, so the same code serves one dev broker and a cluster. */
    private static NewTopic topic(String name, int partitions, Map<String, String> configs) {
        return new NewTopic(name, Optional.of(partitions), Optional.empty()).configs(configs);
    }
}
