package dev.ledger.projection;

import dev.ledger.kafka.EventEnvelope;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Writes a batch through {@link ReadModelWriter}, retrying transient PostgreSQL failures with
 * exponential backoff (resilience4j) until a time budget runs out. The budget is what keeps the stream
 * thread, which waits here instead of polling, inside {@code max.poll.interval.ms}: past it the flush
 * throws {@link ReadModelUnavailableException}, the thread is replaced, and processing resumes from
 * the last committed offsets, which never cover an unwritten event. Anything not transient (a gap, a
 * constraint PostgreSQL refuses) fails the flush at once: retrying cannot fix it and skipping would lose
 * it; {@link ReadModelBuffer} then finds the event and parks it.
 * Thread-safe: one instance serves every task.
 */
final class ReadModelFlusher {
    private static final Logger log = LoggerFactory.getLogger(ReadModelFlusher.class);

    /** SQLSTATE classes and codes worth waiting out: connection, resources, shutdown, conflicts. */
    private static final Set<String> TRANSIENT_STATES = Set.of("40001", "40P01", "55P03", "57P01", "57P02", "57P03");
    private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "53", "58");
    /** A first insert racing a zombie owner's identical insert: the retry reloads and skips it. */
    private static final Set<String> RACING_INSERT_CONSTRAINTS = Set.of("accounts_pkey", "transfers_pkey");

    private final ReadModelWriter writer;
    private final ProjectionSettings settings;
    private final ProjectionMetrics metrics;
    private final Clock clock;

    ReadModelFlusher(ReadModelWriter writer, ProjectionSettings settings, ProjectionMetrics metrics, Clock clock) {
        this.writer = writer;
        this.settings = settings;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Returns once the whole batch is in PostgreSQL.
     *
     * @throws ReadModelUnavailableException PostgreSQL stayed unreachable for the whole budget
     * @throws ProjectionHaltedException     the batch cannot be projected as it is
     */
    ReadModelWriter.Result flush(List<EventEnvelope> events) {
        return flush(events, ReadModelWriter.TransactionStep.NONE);
    }

    /** As {@link #flush(List)}, with {@code alsoInTransaction} in the batch's transaction (it may be empty). */
    ReadModelWriter.Result flush(List<EventEnvelope> events, ReadModelWriter.TransactionStep alsoInTransaction) {
        long startNanos = System.nanoTime();
        long deadlineNanos = startNanos + Duration.ofMillis(settings.flushBudgetMs()).toNanos();
        long maxBackoffNanos = Duration.ofMillis(settings.retryMaxBackoffMs()).toNanos();
        // One Retry per flush: its predicate carries this flush's deadline. Giving up when the longest
        // backoff no longer fits keeps the whole flush within the budget plus one attempt.
        RetryConfig config = RetryConfig.custom()
                .maxAttempts(Integer.MAX_VALUE)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(
                        Duration.ofMillis(settings.retryInitialBackoffMs()), 2.0,
                        Duration.ofMillis(settings.retryMaxBackoffMs())))
                .retryOnException(failure -> isTransient(failure)
                        && System.nanoTime() + maxBackoffNanos < deadlineNanos)
                .build();
        Retry retry = Retry.of("read-model-flush", config);
        retry.getEventPublisher().onRetry(event -> {
            metrics.recordRetry();
            log.warn("read model flush of {} events failed (attempt {}), retrying in {} ms: {}", events.size(),
                    event.getNumberOfRetryAttempts(), event.getWaitInterval().toMillis(),
                    String.valueOf(event.getLastThrowable()));
        });
        try {
            ReadModelWriter.Result result = retry.executeCallable(() -> writer.apply(events, alsoInTransaction));
            if (!events.isEmpty()) {
                metrics.recordFlush(result, System.nanoTime() - startNanos, oldest(events), Instant.now(clock));
            }
            return result;
        } catch (ProjectionHaltedException e) {
            throw e;
        } catch (Exception e) {
            if (isTransient(e)) {
                throw new ReadModelUnavailableException("PostgreSQL did not take a batch of " + events.size()
                        + " events within " + settings.flushBudgetMs() + " ms", e);
            }
            throw new ProjectionHaltedException("PostgreSQL refused the rows of " + events.size()
                    + (events.size() == 1 ? " event" : " events"), e);
        }
    }

    static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ProjectionHaltedException) return false;
            // Hikari's "connection is not available" is an SQLTransientConnectionException.
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) return true;
            if (t instanceof SQLException sql) {
                // A failed JDBC batch reports the server's error as the next exception.
                for (SQLException e = sql; e != null; e = e.getNextException()) {
                    if (isTransientState(e)) return true;
                }
            }
            if (t instanceof IOException) return true;
        }
        return false;
    }

    private static boolean isTransientState(SQLException e) {
        String state = e.getSQLState();
        if (state == null || state.length() != 5) return false;
        if (TRANSIENT_STATES.contains(state) || TRANSIENT_CLASSES.contains(state.substring(0, 2))) return true;
        return "23505".equals(state) && RACING_INSERT_CONSTRAINTS.contains(constraint(e));
    }

    private static String constraint(SQLException e) {
        ServerErrorMessage message = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
        return message == null || message.getConstraint() == null ? "" : message.getConstraint();
    }

    private static Instant oldest(List<EventEnvelope> events) {
        return events.stream().map(EventEnvelope::occurredAt).min(Comparator.naturalOrder()).orElseThrow();
    }
}
