package dev.ledger.command;

import dev.ledger.kafka.KafkaClients;
import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.LedgerTopics;
import dev.ledger.kafka.ProcessorProducerSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;


import static org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP;
/** Runs the command topology as a Kafka Streams application with exactly-once semantics. */
public final class LedgerCommandProcessor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerCommandProcessor.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    static final long POLL_MS = 5;
    /**
     * A Kafka Streams setting of the ledger's own (default true): whether a saga step for an aggregate
     * of another task of the same stream thread is applied at once, in the same transaction. False
     * takes every hop between partitions through Kafka, as between instances (tests use it to run the
     * round trips on one instance).
     */
    public static final String STEPS_ACROSS_TASKS = "ledger.saga.steps.across.tasks";
    /**
     * A Kafka Streams setting of the ledger's own (default true): whether a saga step for an aggregate
     * of the task's own partition is applied at once. False takes every hop through Kafka, even to the
     * partition it came from (and implies {@link #STEPS_ACROSS_TASKS} false): the saga as it ran before
     * either fast path, for comparisons, and for tests that exercise the step records on one partition.
     */
    public static final String STEPS_IN_PARTITION = "ledger.saga.steps.in.partition";

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics metrics;
    private final DeadLetterTally deadLetters;

    private LedgerCommandProcessor(KafkaStreams streams, KafkaStreamsMetrics metrics, DeadLetterTally deadLetters) {
        this.streams = streams;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
    }

    public static LedgerCommandProcessor start(LedgerConfig config, MeterRegistry registry) {
        return start(config, registry, Map.of());
    }

    /** @param overrides Streams settings that win over the defaults (tests shorten session timeouts) */
    public static LedgerCommandProcessor start(LedgerConfig config, MeterRegistry registry, Map<String, Object> overrides) {
        var meters = ProcessorMeters.register(registry);
        var clients = KafkaClients.of(config);
        var eventLog = new KafkaEventLog(clients, config.topics().events());
        var topology = CommandTopology.build(new LedgerTopics(config.topics()), config.keys(), meters,
                commandPartitions(config), eventLog);
        Properties props = streamsConfig(config);
        props.putAll(overrides);
        var streams = new KafkaStreams(topology, props);
        streams.setUncaughtExceptionHandler(exception -> {
            // a bug or a broken invariant: stop rather than write a wrong balance
            LOG.error("command processor stopped by an unexpected error", exception);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        var metrics = new KafkaStreamsMetrics(streams);
        metrics.bindTo(registry);
        streams.start();
        var deadLetters = DeadLetterTally.start(clients, config.topics().deadLetters(), registry);
        return new LedgerCommandProcessor(streams, metrics, deadLetters);
    }

    /**
     * The commands topic's partition count as the broker has it, whatever the configuration says. The
     * events topic must have as many: a task restores its aggregates from the events partition of its
     * own number, which holds its aggregates' events only when both topics are partitioned alike (an
     * existing topic keeps the count it was created with, so this is checked, not assumed).
     */
    private static int commandPartitions(LedgerConfig config) {
        String commands = config.topics().commands();
        String events = config.topics().events();
        try (Admin admin = KafkaClients.of(config).createAdmin("ledger-command-partitions")) {
            var topics = admin.describeTopics(List.of(commands, events)).allTopicNames().get(30, TimeUnit.SECONDS);
            int count = topics.get(commands).partitions().size();
            int eventPartitions = topics.get(events).partitions().size();
            if (eventPartitions != count) {
                throw new IllegalStateException(events + " has " + eventPartitions + " partitions and " + commands
                        + " " + count + ": the command processor restores each partition's aggregates from the events "
                        + "partition of the same number, so both topics need the same count");
            }
            return count;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the partitions of " + commands + " and " + events, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the partitions of " + commands + " and " + events, e);
        }
    }

    static Properties streamsConfig(LedgerConfig config) {
        Properties props = KafkaClients.of(config).streams(config.applicationIdPrefix() + "-command");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // there is no global store; this only opts into Kafka 5.0's default now (and silences its warning)
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitIntervalMs());
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().resolve("command").toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        // The next saga hop is visible only after this thread commits; with the default poll.ms of
        // 100 the thread would sit in poll() waiting for input its own pending commit holds back.
        props.put(StreamsConfig.POLL_MS_CONFIG, POLL_MS);
        props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDbConfig.class);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 2000);
        // one shared map: the bench's Kafka-limit row builds its producers from the same settings
        ProcessorProducerSettings.producerConfig().forEach((key, value) -> props.put(StreamsConfig.producerPrefix(key), value));
        return props;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    public boolean isRunning() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    @Override
    public void close() {
        deadLetters.close();
        // leave the group: the partitions move to another instance (or to this one's successor) at once,
        // instead of standing still until the session timeout notices the member is gone
        streams.close(CloseOptions.timeout(CLOSE_TIMEOUT).withGroupMembershipOperation(LEAVE_GROUP));
        metrics.close();
    }
}
