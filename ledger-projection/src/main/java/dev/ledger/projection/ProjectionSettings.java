package dev.ledger.projection;

/**
 * The projection's bounds. Every buffer, wait and retry has one (TigerBeetle style).
 *
 * @param maxBatchEvents        events a task buffers before it writes them early and asks for a commit:
 *                              bounds memory and the size of one PostgreSQL transaction (the tasks of a
 *                              thread writing together start another transaction past it)
 * @param minCommitIntervalMs   floor under {@code LedgerConfig.commitIntervalMs()}: each commit costs one
 *                              PostgreSQL transaction (and fsync) for the stream thread's tasks with data
 * @param maxPollIntervalMs     the consumer's {@code max.poll.interval.ms}, set explicitly because a flush
 *                              blocks the stream thread between polls
 * @param retryInitialBackoffMs first wait after a transient PostgreSQL failure; doubles each retry
 * @param retryMaxBackoffMs     cap of that wait
 * @param flushBudgetMs         how long one flush may keep retrying before it gives up and the thread is
 *                              replaced; at most half of {@code maxPollIntervalMs}, so that the attempt in
 *                              flight and the records processed since the last poll still fit
 * @param attemptTimeoutMs      bound on one attempt's network reads (JDBC network timeout)
 * @param closeTimeoutMs        how long {@link LedgerProjection#close()} waits for the final commit
 */
public record ProjectionSettings(int maxBatchEvents, long minCommitIntervalMs, long maxPollIntervalMs,
                                 long retryInitialBackoffMs, long retryMaxBackoffMs, long flushBudgetMs,
                                 long attemptTimeoutMs, long closeTimeoutMs) {

    public static final ProjectionSettings DEFAULTS =
            new ProjectionSettings(5_000, 100, 300_000, 100, 5_000, 120_000, 30_000, 30_000);

    public ProjectionSettings {
        if (maxBatchEvents < 1) throw new IllegalArgumentException("maxBatchEvents must be at least 1");
        if (minCommitIntervalMs < 1) throw new IllegalArgumentException("minCommitIntervalMs must be positive");
        if (retryInitialBackoffMs < 1 || retryMaxBackoffMs < retryInitialBackoffMs) {
            throw new IllegalArgumentException("need 1 <= retryInitialBackoffMs <= retryMaxBackoffMs");
        }
        if (flushBudgetMs < retryMaxBackoffMs) throw new IllegalArgumentException("flushBudgetMs below one backoff");
        if (attemptTimeoutMs < 1) throw new IllegalArgumentException("attemptTimeoutMs must be positive");
        if (flushBudgetMs + attemptTimeoutMs > maxPollIntervalMs / 2) {
            throw new IllegalArgumentException("flushBudgetMs + attemptTimeoutMs must stay within half of "
                    + "maxPollIntervalMs, or a flush outlives the poll timeout and the member is evicted");
        }
        if (closeTimeoutMs < 0) throw new IllegalArgumentException("closeTimeoutMs must not be negative");
    }

    public ProjectionSettings withMaxBatchEvents(int events) {
        return new ProjectionSettings(events, minCommitIntervalMs, maxPollIntervalMs, retryInitialBackoffMs,
                retryMaxBackoffMs, flushBudgetMs, attemptTimeoutMs, closeTimeoutMs);
    }

    public ProjectionSettings withRetry(long initialBackoffMs, long maxBackoffMs, long budgetMs) {
        return new ProjectionSettings(maxBatchEvents, minCommitIntervalMs, maxPollIntervalMs, initialBackoffMs,
                maxBackoffMs, budgetMs, attemptTimeoutMs, closeTimeoutMs);
    }
}
