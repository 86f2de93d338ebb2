package dev.ledger.api;

import dev.ledger.domain.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.function.IntSupplier;

/** What the API reports to Prometheus. Route labels are templates, never raw paths, to bound cardinality. */
final class ApiMetrics {
    private final MeterRegistry registry;
    private final Counter unreadableResults;

    ApiMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.unreadableResults = Counter.builder("ledger.api.results.unreadable")
                .description("results that could not be read and were skipped")
                .register(registry);
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
