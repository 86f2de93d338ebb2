package dev.ledger.api;

import dev.ledger.domain.Outcome;
import dev.ledger.kafka.CommandStages;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/** What the API reports to Prometheus. Route labels are templates, never raw paths, to bound cardinality. */
final class ApiMetrics {
    private final MeterRegistry registry;
    private final Counter unreadableResults;
    private final Timer queued;
    private final Timer acknowledged;
    private final Timer committed;

    ApiMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.unreadableResults = Counter.builder("ledger.api.results.unreadable")
                .description("results that could not be read and were skipped")
                .register(registry);
        this.queued = stage(registry, CommandStages.QUEUED);
        this.acknowledged = stage(registry, CommandStages.ACKNOWLEDGED);
        this.committed = stage(registry, CommandStages.COMMITTED);
    }

    /** A mean and a maximum per stage, no histogram: it is recorded for every command of a batch. */
    private static Timer stage(MeterRegistry registry, String stage) {
        return Timer.builder(CommandStages.METRIC).description(CommandStages.DESCRIPTION)
                .tag(CommandStages.TAG, stage).register(registry);
    }

    /** {@link CommandStages#QUEUED}, for one command. */
    void queued(long nanos) {
        queued.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** {@link CommandStages#ACKNOWLEDGED}, for each of {@code commands} commands. */
    void acknowledged(long nanos, int commands) {
        for (int i = 0; i < commands; i++) acknowledged.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** {@link CommandStages#COMMITTED}, for each of {@code commands} answers. */
    void committed(long millis, int commands) {
        long nonNegativeMillis = Math.max(0, millis); // wall clocks may step back
        for (int i = 0; i < commands; i++) committed.record(nonNegativeMillis, TimeUnit.MILLISECONDS);
    }

    /** A gauge of requests waiting, per kind: for an outcome from Kafka, or for the read model. */
    void waiting(String kind, IntSupplier count) {
        Gauge.builder("ledger.api.waiting.requests", count::getAsInt)
                .description("HTTP requests waiting asynchronously")
                .tag("kind", kind)
                .register(registry);
    }

    void request(String method, String route, int status) {
        Counter.builder("ledger.api.requests")
                .description("HTTP requests answered")
                .tags("method", method, "route", route, "status", Integer.toString(status))
                .register(registry)
                .increment();
    }

    /** From the command sent to its outcome read back: the latency a client of a write sees. */
    void outcome(String commandType, Outcome outcome, Duration latency) {
        Timer.builder("ledger.api.outcome.latency")
                .description("time from sending a command to reading its outcome")
                .tags("command", commandType, "status", outcome.status().name())
                .publishPercentileHistogram()
                .register(registry)
                .record(latency);
    }

    void unreadableResult() {
        unreadableResults.increment();
    }
}
