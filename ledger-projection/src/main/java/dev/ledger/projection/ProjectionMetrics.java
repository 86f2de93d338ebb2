package dev.ledger.projection;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** The projection's meters, shared by every task of the instance (Micrometer meters are thread-safe). */
final class ProjectionMetrics {
    private final Counter applied;
    private final Counter duplicates;
    private final Counter retries;
    private final Timer flush;
    private final Timer lag;

    ProjectionMetrics(MeterRegistry registry) {
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

    void recordRetry() {
        retries.increment();
    }
}
