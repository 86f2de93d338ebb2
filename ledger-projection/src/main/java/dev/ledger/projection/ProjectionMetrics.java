package dev.ledger.projection;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The projection's meters, shared by every task of the instance (Micrometer meters are thread-safe). */
final class ProjectionMetrics {
    static final String STUCK = "ledger.projection.stuck";

    private final MeterRegistry registry;
    private final Map<String, Meter.Id> stuckByPartition = new ConcurrentHashMap<>();
    private final Counter applied;
    private final Counter parked;
    private final Counter duplicates;
    private final Counter retries;
    private final Timer flush;
    private final Timer lag;

    ProjectionMetrics(MeterRegistry registry) {
        this.registry = registry;
        parked = Counter.builder("ledger.projection.events").tag("outcome", "parked")
                .description("events parked behind a stuck event of their partition").register(registry);
        applied = Counter.builder("ledger.projection.events").tag("outcome", "applied")
                .description("events projected into the read model").register(registry);
        duplicates = Counter.builder("ledger.projection.events").tag("outcome", "duplicate")
                .description("redelivered events recognised by seq and left alone").register(registry);
        retries = Counter.builder("ledger.projection.flush.retries")
                .description("flush attempts retried after a transient PostgreSQL failure").register(registry);
        flush = Timer.builder("ledger.projection.flush")
                .description("time to write one batch to PostgreSQL, retries included").register(registry);
        // Cheap lag: how old the oldest event of a batch is when it becomes visible to queries.
        lag = Timer.builder("ledger.projection.lag")
                .description("from an event's occurredAt to its batch committing in PostgreSQL").register(registry);
    }

    void recordFlush(ReadModelWriter.Result result, long elapsedNanos, Instant oldestOccurredAt, Instant now) {
        applied.increment(result.applied());
        duplicates.increment(result.duplicates());
        flush.record(elapsedNanos, TimeUnit.NANOSECONDS);
        Duration age = Duration.between(oldestOccurredAt, now);
        if (!age.isNegative()) lag.record(age);
    }

    void recordParked(int events) {
        parked.increment(events);
    }

    /**
     * A partition this instance owns is stuck: one gauge (value 1) per stuck partition whose tags name the
     * event and why, so that an alert on {@code ledger_projection_stuck} says what to look at.
     */
    void stuck(String topic, int partition, long offset, String eventId, String reason) {
        unstuck(topic, partition);
        Gauge gauge = Gauge.builder(STUCK, () -> 1)
                .description("a partition of the event topic the read model cannot get past; 1 while stuck")
                .tag("topic", topic).tag("partition", Integer.toString(partition)).tag("offset", Long.toString(offset))
                .tag("event_id", eventId == null ? "unreadable" : Printable.of(eventId, 200))
                .tag("reason", Printable.of(reason, 200))
                .register(registry);
        stuckByPartition.put(topic + "-" + partition, gauge.getId());
    }

    void unstuck(String topic, int partition) {
        Meter.Id id = stuckByPartition.remove(topic + "-" + partition);
        if (id != null) registry.remove(id);
    }

    void recordRetry() {
        retries.increment();
    }
}
