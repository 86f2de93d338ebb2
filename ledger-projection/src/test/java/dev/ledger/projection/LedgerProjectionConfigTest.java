package dev.ledger.projection;

import dev.ledger.kafka.KafkaSettings;
import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.TopicNames;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndFailExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.SQLTransientConnectionException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Streams settings the sink's guarantees rest on, as Kafka Streams will actually apply them. */
class LedgerProjectionConfigTest {

    static LedgerConfig config(long commitIntervalMs) {
        return new LedgerConfig("localhost:9092", "jdbc:unused", "u", "p", 0, 12, new byte[16], Path.of("/tmp/ledger"),
                TopicNames.DEFAULT, commitIntervalMs, "ledger");
    }

    @Test
    void given_the_projection_config_then_the_consumer_reads_committed_only_and_never_skips() {
        StreamsConfig streams = new StreamsConfig(
                LedgerProjection.streamsProperties(config(20), ProjectionSettings.DEFAULTS));
        Map<String, Object> consumer = streams.getMainConsumerConfigs("ledger-projection", "client", 0);

        assertThat(consumer.get(ConsumerConfig.ISOLATION_LEVEL_CONFIG)).isEqualTo("read_committed");
        assertThat(consumer.get(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG)).isEqualTo("earliest");
        assertThat(streams.getString(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("ledger-projection");
        assertThat(streams.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.AT_LEAST_ONCE);
        assertThat(streams.getClass(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG))
                .isEqualTo(LogAndFailExceptionHandler.class);
        assertThat(streams.getString(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo("/tmp/ledger/projection");
    }

    @Test
    void given_a_secured_cluster_then_the_projection_reads_over_sasl_and_replicates_internal_topics() {
        KafkaSettings secured = new KafkaSettings(Map.of("security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512"), (short) 3, 2);
        StreamsConfig streams = new StreamsConfig(LedgerProjection.streamsProperties(config(20).withKafka(secured),
                ProjectionSettings.DEFAULTS));
        Map<String, Object> consumer = streams.getMainConsumerConfigs("ledger-projection", "client", 0);

        assertThat(consumer).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(streams.getInt(StreamsConfig.REPLICATION_FACTOR_CONFIG)).isEqualTo(3);
    }

    @Test
    void given_a_flush_budget_then_it_fits_inside_the_poll_interval() {
        ProjectionSettings settings = ProjectionSettings.DEFAULTS;
        Map<String, Object> consumer = new StreamsConfig(LedgerProjection.streamsProperties(config(20), settings))
                .getMainConsumerConfigs("ledger-projection", "client", 0);

        assertThat(consumer.get(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG)).isEqualTo(300_000);
        assertThat(settings.flushBudgetMs() + settings.attemptTimeoutMs()).isLessThan(300_000 / 2 + 1);
        assertThatThrownBy(() -> settings.withRetry(100, 5_000, 200_000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPollIntervalMs");
    }

    @Test
    void given_a_short_configured_commit_interval_then_the_projection_commits_at_least_every_100_ms() {
        StreamsConfig fast = new StreamsConfig(LedgerProjection.streamsProperties(config(20), ProjectionSettings.DEFAULTS));
        StreamsConfig slow = new StreamsConfig(LedgerProjection.streamsProperties(config(1_000), ProjectionSettings.DEFAULTS));

        assertThat(fast.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(100);
        assertThat(slow.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(1_000);
    }

    @Test
    void given_postgres_down_past_the_budget_then_the_thread_is_replaced_and_a_failure_no_event_explains_stops_the_client() {
        // An event that cannot be decoded or applied never reaches the policy: its partition is parked
        // (StuckPartitionTest). What does is PostgreSQL away too long, or a bug such as the loss-window tripwire.
        ProjectionFailurePolicy policy = new ProjectionFailurePolicy();
        var unavailable = new StreamsException(new ReadModelUnavailableException("down",
                new SQLTransientConnectionException("timeout")));
        var lossWindow = new StreamsException(new ProjectionHaltedException("the pre-commit hook was skipped"));

        assertThat(policy.handle(unavailable)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
        assertThat(policy.handle(lossWindow)).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void given_test_overrides_then_timeouts_may_change_but_the_guarantees_may_not() {
        var props = LedgerProjection.streamsProperties(config(20), ProjectionSettings.DEFAULTS);
        LedgerProjection.applyOverrides(props, Map.of(
                StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6_000,
                StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed"));

        assertThat(props.get(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG))).isEqualTo(6_000);
        assertThatThrownBy(() -> LedgerProjection.applyOverrides(props,
                Map.of(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_uncommitted")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("isolation.level");
        assertThatThrownBy(() -> LedgerProjection.applyOverrides(props,
                Map.of(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                        org.apache.kafka.streams.errors.LogAndContinueExceptionHandler.class)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
