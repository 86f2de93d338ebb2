package dev.ledger.projection;

import dev.ledger.kafka.KafkaClients;
import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.TopicNames;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndFailExceptionHandler;
import org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;


import static org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP;
/**
 * The read-model projection: a Kafka Streams application that folds {@code ledger.events} into the
 * PostgreSQL read model (accounts with their four counters, statement entries with balance-after,
 * transfers with their status).
 * <pre>
 *   ledger.events ──► project (buffer per task) ──► ReadModelBuffer ══ before each offset commit ══► PostgreSQL
 * </pre>
 * A task is one partition. A partition that meets an event it cannot decode or apply becomes stuck (see
 * {@link ReadModelBuffer}): its events are parked, the others go on, and the projection keeps running.
 */
public final class LedgerProjection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LedgerProjection.class);
    static final String SOURCE = "ledger-events";
    static final String PROCESSOR = "project";

    /** Settings an override may not change: they make the projection read committed, never skip, never stall. */
    public static final Set<String> PROTECTED_SETTINGS = Set.of(
            StreamsConfig.APPLICATION_ID_CONFIG,
            StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG),
            StreamsConfig.mainConsumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG),
            ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
            StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG),
            StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG),
            StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
            "default.deserialization.exception.handler",
            StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG);

    private final KafkaStreams streams;
    private final Duration closeTimeout;

    private LedgerProjection(KafkaStreams streams, Duration closeTimeout) {
        this.streams = streams;
        this.closeTimeout = closeTimeout;
    }

    public static LedgerProjection start(LedgerConfig config, DataSource dataSource, MeterRegistry registry) {
        return start(config, dataSource, registry, ProjectionSettings.DEFAULTS, Map.of());
    }

    /** @param streamsOverrides Kafka Streams settings that win over the defaults (tests shorten session timeouts) */
    public static LedgerProjection start(LedgerConfig config, DataSource dataSource, MeterRegistry registry,
                                         Map<String, Object> streamsOverrides) {
        return start(config, dataSource, registry, ProjectionSettings.DEFAULTS, streamsOverrides);
    }

    /**
     * Starts the projection; it does not wait for Kafka. The read model schema must exist already
     * ({@link ReadModelSchema#migrate}).
     *
     * @param streamsOverrides Kafka Streams settings that win over the defaults, except those the sink's
     *                         guarantees rest on ({@link #PROTECTED_SETTINGS}): overriding one is refused
     */
    public static LedgerProjection start(LedgerConfig config, DataSource dataSource, MeterRegistry registry,
                                         ProjectionSettings settings, Map<String, Object> streamsOverrides) {
        Properties props = streamsProperties(config, settings);
        applyOverrides(props, streamsOverrides);
        Topology topology = topology(config.topics(), dataSource, registry, settings);
        KafkaStreams streams = new KafkaStreams(topology, props);
        streams.setUncaughtExceptionHandler(new ProjectionFailurePolicy());
        streams.setStateListener((next, previous) -> log.info("read model projection {} -> {}", previous, next));
        streams.start();
        return new LedgerProjection(streams, Duration.ofMillis(settings.closeTimeoutMs()));
    }

    /** The topology alone, for {@code TopologyTestDriver}. */
    public static Topology topology(TopicNames topics, DataSource dataSource, MeterRegistry registry,
                                    ProjectionSettings settings) {
        ProjectionMetrics metrics = new ProjectionMetrics(registry);
        ReadModelFlusher flusher = new ReadModelFlusher(
                new ReadModelWriter(dataSource, Math.toIntExact(settings.attemptTimeoutMs())), settings,
                metrics, Clock.systemUTC());
        return new Topology()
                // every record of the log, in partition order, as bytes: the processor decodes, so that an
                // unreadable record is parked with its offset instead of failing the task
                .addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.events())
                // buffer them per task, writing early at maxBatchEvents
                .addProcessor(PROCESSOR, () -> new ProjectionProcessor(settings.maxBatchEvents()), SOURCE)
                // and write the rest to PostgreSQL (or park it) before each offset commit
                .addStateStore(new ReadModelBuffer.Builder(flusher, metrics, topics.events(),
                        settings.maxBatchEvents()), PROCESSOR);
    }

    /**
     * <ul>
     *   <li>{@code at_least_once}: the sink is PostgreSQL, outside any Kafka transaction, and this
     *       topology writes nothing to Kafka, so {@code exactly_once_v2} would protect nothing here. It
     *       would cost a transactional producer per thread and tie each flush to
     *       {@code transaction.timeout.ms} (10 s by default): a PostgreSQL outage longer than that would
     *       get the thread fenced. Redelivery is harmless instead: seq guards and entry ids make every
     *       write idempotent, so the rows come out exactly once.</li>
     *   <li>{@code isolation.level=read_committed}: set explicitly, because Kafka Streams only defaults
     *       it under exactly-once; the command processor writes transactionally and an aborted event
     *       must never reach the read model.</li>
     *   <li>Commit interval: {@code config.commitIntervalMs()} but at least {@code minCommitIntervalMs}
     *       (100 ms). Each commit costs one PostgreSQL transaction for all the thread's tasks with data
     *       (one per {@code maxBatchEvents} events, see {@link ReadModelBuffer}); 100 ms keeps
     *       batches large under load while a read waiting on {@code Ledger-Min-Position} (5 s bound)
     *       waits a tenth of a second more at most.</li>
     *   <li>No internal topics: the buffer has no changelog and nothing is repartitioned; the
     *       ledger's {@code replication.factor} is set all the same, for any that a later change adds.</li>
     * </ul>
     */
    public static Properties streamsProperties(LedgerConfig config, ProjectionSettings settings) {
        String prefix = Objects.requireNonNull(config.applicationIdPrefix(), "applicationIdPrefix");
        Properties props = KafkaClients.of(config).streams(prefix + "-projection");
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().resolve("projection").toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        // there is no global store; this only opts into Kafka 5.0's default now (and silences its warning)
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
                Math.max(config.commitIntervalMs(), settings.minCommitIntervalMs()));
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG),
                IsolationLevel.READ_COMMITTED.toString().toLowerCase(Locale.ROOT));
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG),
                Math.toIntExact(settings.maxPollIntervalMs()));
        // A new projection (or a rebuild under a new application id) starts from the first event.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // Never skip an event. The source reads bytes, so no record fails to deserialize; an event that
        // cannot be decoded or applied makes its partition stuck (ReadModelBuffer). What is left to fail
        // is a bug no single event explains: it stops the projection rather than skip anything.
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndFailExceptionHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndFailProcessingExceptionHandler.class);
        return props;
    }

    static void applyOverrides(Properties props, Map<String, Object> overrides) {
        overrides.forEach((key, value) -> {
            if (PROTECTED_SETTINGS.contains(key) && !String.valueOf(value).equals(String.valueOf(props.get(key)))) {
                throw new IllegalArgumentException("the read model projection does not take an override of " + key
                        + ": its guarantees rest on it (see LedgerProjection.streamsProperties)");
            }
            props.put(key, value);
        });
    }

    /**
     * Running or rebalancing; false once stopped by a failure no single event explains (see
     * {@link ProjectionFailurePolicy}) or closed. A stuck partition does not stop it.
     */
    public boolean isRunning() {
        return streams.state().isRunningOrRebalancing();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * Commits (after writing the buffers) and stops, waiting at most {@code closeTimeoutMs}. If PostgreSQL
     * is down the final write may not finish in time: its offsets are then not committed either, and the
     * events are read again on the next start.
     */
    @Override
    public void close() {
        // leaving the group hands the partitions over at once rather than after the session timeout
        if (!streams.close(CloseOptions.timeout(closeTimeout).withGroupMembershipOperation(LEAVE_GROUP))) {
            log.warn("read model projection did not stop within {} ms", closeTimeout.toMillis());
        }
    }
}
