package dev.ledger.api;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Holds reads that sent {@code Ledger-Min-Position} until the read model has projected that far,
 * without a thread per request: one poller asks PostgreSQL, every few milliseconds and only while
 * someone waits, for the positions of the accounts that waiters name and have not yet seen reached, in one
 * query. That query runs only when it can find something new: a waiter came since the last one, or
 * PostgreSQL's snapshot moved (a transaction that writes began or ended). The projection commits every
 * 100 ms or so, so most polls cost a one-row query instead of a lookup of every name.
 */
final class PositionWaiter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PositionWaiter.class);

    private final ReadModel readModel;
    private final int capacity;
    private final int maxNames;
    private final ScheduledExecutorService timer;
    private final ScheduledExecutorService poller;
    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
    private final AtomicInteger waiting = new AtomicInteger();
    /** Accounts named by all waiters together: what every poll asks PostgreSQL for. */
    private final AtomicInteger waitingNames = new AtomicInteger();
    private volatile boolean lastPollFailed;
    /** Set by each new waiter, taken by the poll that asks for its names. */
    private final AtomicBoolean waiterAdded = new AtomicBoolean();
    /** The snapshot the last answered positions query was asked under; null when none was. Poller thread only. */
    private String snapshotOfLastQuery;

    /**
     * @param capacity waiting reads at most
     * @param maxNames accounts named by all waiting reads together at most: it bounds each poll's query
     * @param timer    runs the timeouts; the polls run on a thread of their own, since a poll may block
     */
    PositionWaiter(ReadModel readModel, int capacity, int maxNames, long pollIntervalMs, ScheduledExecutorService timer) {
        this.readModel = readModel;
        this.capacity = capacity;
        this.maxNames = maxNames;
        this.timer = timer;
        this.poller = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("ledger-api-position-poller").daemon().factory());
        poller.scheduleWithFixedDelay(this::poll, pollIntervalMs, pollIntervalMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Completes with true once every account the position names is projected at least that far, or
     * with false after {@code waitMs}.
     *
     * @throws TooManyWaitingException when the waiters, or the accounts they name, are at their bound
     */
    CompletableFuture<Boolean> await(LedgerPosition position, long waitMs) {
        if (position.isEmpty()) return CompletableFuture.completedFuture(true);
        int names = position.seqByAccount().size();
        if (waiting.incrementAndGet() > capacity) {
            waiting.decrementAndGet();
            throw new TooManyWaitingException(capacity);
        }
        if (waitingNames.addAndGet(names) > maxNames) {
            waitingNames.addAndGet(-names);
            waiting.decrementAndGet();
            throw new TooManyWaitingException(maxNames, "accounts named by Ledger-Min-Position");
        }
        var waiter = new Waiter(position);
        waiters.add(waiter);
        waiterAdded.set(true);
        ScheduledFuture<?> timeout = timer.schedule(() -> waiter.future.complete(false), waitMs, TimeUnit.MILLISECONDS);
        // the caller continues on the returned stage, so the slot is free before any answer is written
        return waiter.future.whenComplete((reached, error) -> {
            waiters.remove(waiter);
            timeout.cancel(false);
            waitingNames.addAndGet(-names);
            waiting.decrementAndGet();
        });
    }

    int waiting() {
        return waiting.get();
    }

    private void poll() {
        if (waiters.isEmpty()) return;
        try {
            boolean added = waiterAdded.getAndSet(false);
            String snapshot = readModel.snapshot();
            // the same snapshot: nothing committed since the last query, which every waiter has seen
            if (!added && snapshot.equals(snapshotOfLastQuery)) return;
            snapshotOfLastQuery = null;
            Set<String> names = new HashSet<>();
            waiters.forEach(w -> names.addAll(w.unreached.keySet()));
            Map<String, Long> projected = readModel.projectedSeqs(names);
            waiters.forEach(w -> {
                if (w.reachedBy(projected)) w.future.complete(true);
            });
            snapshotOfLastQuery = snapshot;
            lastPollFailed = false;
        } catch (RuntimeException e) {
            snapshotOfLastQuery = null; // a waiter taken from waiterAdded may not have been asked for
            // keep polling: the waiters time out on their own if PostgreSQL stays away
            if (!lastPollFailed) log.warn("polling the read model's positions failed", e);
            lastPollFailed = true;
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
        waiters.forEach(w -> w.future.complete(false));
    }

    private static final class Waiter {
        /**
         * The names of the position the read model has not yet projected far enough, with the seq each
         * needs: a projected seq never goes back, so a name once reached is not asked for again, and a
         * batch's position of thousands of accounts costs each poll only the accounts still behind.
         * Read and changed by the poller thread only.
         */
        Map<String, Long> unreached;
        final CompletableFuture<Boolean> future = new CompletableFuture<>();

        Waiter(LedgerPosition position) {
            this.unreached = position.seqByAccount();
        }

        /** Drops the names {@code projected} reaches; true once none is left. */
        boolean reachedBy(Map<String, Long> projected) {
            unreached = LedgerPosition.unreached(unreached, projected);
            return unreached.isEmpty();
        }
    }
}
