package dev.ledger.api;

import dev.ledger.domain.Outcome;
import dev.ledger.domain.Outcome.Status;
import dev.ledger.kafka.CommandResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP requests waiting for an outcome from {@code ledger.results}, bounded in number.
 *
 * <p>A waiter is found by the id of the command its request sent. When the answer is
 * {@code IN_FLIGHT} (a retry of a transfer still being decided), the waiter moves to the transfer's
 * id and takes the transfer's final result, which names the original command, not the retry. Both
 * moves happen on the single thread that reads the results, in topic order, so a final result that
 * follows an {@code IN_FLIGHT} cannot be missed.
 */
final class ResultWaiters {
    private final int capacity;
    private final ScheduledExecutorService timer;
    private final AtomicInteger waiting = new AtomicInteger();
    private final Map<String, Waiter> byCommandId = new ConcurrentHashMap<>();
    private final Map<String, Set<Waiter>> byAggregateId = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** @param timer runs the timeouts; its tasks must be short */
    ResultWaiters(int capacity, ScheduledExecutorService timer) {
        this.capacity = capacity;
        this.timer = timer;
    }

    /** What a request waits for: the outcome of the command it sent. */
    record Expected(String commandId, String aggregateId) {
    }

    /**
     * Registers one waiter per command, all or none, before the commands are sent (so that no result
     * can arrive unseen). Each future completes with the outcome, or empty after {@code waitMs}.
     *
     * @throws TooManyWaitingException when the waiters would exceed the capacity
     */
    List<CompletableFuture<Optional<Outcome>>> register(List<Expected> expected, long waitMs) {
        if (closed) throw new UnavailableException("the server is stopping", null);
        reserve(expected.size());
        var futures = new ArrayList<CompletableFuture<Optional<Outcome>>>(expected.size());
        for (Expected e : expected) {
            var waiter = new Waiter(e.commandId(), e.aggregateId());
            byCommandId.put(e.commandId(), waiter);
            waiter.timeout = timer.schedule(() -> waiter.future.complete(Optional.empty()), waitMs, TimeUnit.MILLISECONDS);
            // callers continue on the dependent stage, so the slot is free before any answer is written
            futures.add(waiter.future.whenComplete((outcome, error) -> forget(waiter)));
        }
        return futures;
    }

    /** Called by the results reader, one result at a time, in topic order. */
    void dispatch(CommandResult result) {
        Outcome outcome = result.outcome();
        Waiter waiter = byCommandId.get(result.commandId());
        if (waiter != null) {
            if (outcome.status() == Status.IN_FLIGHT) awaitFinal(waiter);
            else waiter.future.complete(Optional.of(outcome));
        }
        if (isFinalTransferState(outcome.status())) {
            Set<Waiter> retries = byAggregateId.remove(result.aggregateId());
            if (retries != null) {
                // the retries asked for what an earlier request had started: to them it is a replay
                Outcome replay = outcome.replayed() ? outcome : outcome.asReplay();
                retries.forEach(retry -> retry.future.complete(Optional.of(replay)));
            }
        }
    }

    int waiting() {
        return waiting.get();
    }

    /** Fails every waiter, so that no request hangs while the server stops. */
    void close() {
        closed = true;
        var stopping = new UnavailableException("the server is stopping", null);
        byCommandId.values().forEach(w -> w.future.completeExceptionally(stopping));
        byAggregateId.values().forEach(set -> set.forEach(w -> w.future.completeExceptionally(stopping)));
    }

    private void reserve(int count) {
        while (true) {
            int now = waiting.get();
            if (now + count > capacity) throw new TooManyWaitingException(capacity);
            if (waiting.compareAndSet(now, now + count)) return;
        }
    }

    private void awaitFinal(Waiter waiter) {
        byAggregateId.compute(waiter.aggregateId, (id, set) -> {
            Set<Waiter> waiters = set != null ? set : ConcurrentHashMap.newKeySet();
            waiters.add(waiter);
            return waiters;
        });
        byCommandId.remove(waiter.commandId, waiter);
        // a timeout that fired meanwhile already ran forget(); do not leave the waiter behind
        if (waiter.future.isDone()) forgetRetry(waiter);
    }

    private void forget(Waiter waiter) {
        byCommandId.remove(waiter.commandId, waiter);
        forgetRetry(waiter);
        ScheduledFuture<?> timeout = waiter.timeout;
        if (timeout != null) timeout.cancel(false);
        waiting.decrementAndGet();
    }

    private void forgetRetry(Waiter waiter) {
        byAggregateId.computeIfPresent(waiter.aggregateId, (id, set) -> {
            set.remove(waiter);
            return set.isEmpty() ? null : set;
        });
    }

    /** Only these end a transfer; a CONFLICT answers one request, not the transfer. */
    private static boolean isFinalTransferState(Status status) {
        return status == Status.COMPLETED || status == Status.REJECTED;
    }

    private static final class Waiter {
        final String commandId;
        final String aggregateId;
        final CompletableFuture<Optional<Outcome>> future = new CompletableFuture<>();
        volatile ScheduledFuture<?> timeout;

        Waiter(String commandId, String aggregateId) {
            this.commandId = commandId;
            this.aggregateId = aggregateId;
        }
    }
}
