package dev.ledger.api;

import dev.ledger.domain.Outcome;
import dev.ledger.domain.Outcome.Status;
import dev.ledger.kafka.CommandResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * {@code IN_FLIGHT} (a retry of a transfer still being decided), the waiter takes the transfer's
 * final result instead, which names the original command, not the retry. That final result may be
 * read before the {@code IN_FLIGHT}: the two can travel in records bound for different partitions
 * of the results topic. So every waiter is also listed under its aggregate from the moment it is
 * registered, before its command is sent, and a final result is kept on each waiter of the same
 * transfer that has not been answered yet: whichever of the two arrives second answers the retry.
 * Waiters change only on the single thread that reads the results.
 */
final class ResultWaiters {
    private final int capacity;
    private final ScheduledExecutorService timer;
    private final AtomicInteger waiting = new AtomicInteger();
    private final Map<String, Waiter> byCommandId = new ConcurrentHashMap<>();
    /** Every waiter by its aggregate, from its registration until it is answered; each list is immutable. */
    private final Map<String, List<Waiter>> byAggregateId = new ConcurrentHashMap<>();
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
            byAggregateId.merge(e.aggregateId(), List.of(waiter), ResultWaiters::joined);
            waiter.timeout = timer.schedule(() -> waiter.future.complete(Optional.empty()), waitMs, TimeUnit.MILLISECONDS);
            // callers continue on the dependent stage, so the slot is free before any answer is written
            futures.add(waiter.future.whenComplete((outcome, error) -> forget(waiter)));
        }
        return futures;
    }

    /** Called by the results reader, one result at a time, in the order of each partition. */
    void dispatch(CommandResult result) {
        Outcome outcome = result.outcome();
        Waiter waiter = byCommandId.get(result.commandId());
        if (waiter != null) {
            if (outcome.status() == Status.IN_FLIGHT) waiter.inFlight();
            else waiter.future.complete(Optional.of(outcome));
        }
        if (isFinalTransferState(outcome.status())) {
            List<Waiter> sameTransfer = byAggregateId.getOrDefault(result.aggregateId(), List.of());
            // to the other requests for this transfer it is a replay of what an earlier request started
            Outcome replay = outcome.replayed() ? outcome : outcome.asReplay();
            for (Waiter other : sameTransfer) if (other != waiter) other.transferFinal(replay);
        }
    }

    int waiting() {
        return waiting.get();
    }

    /** Fails every waiter, so that no request hangs while the server stops. */
    void close() {
        closed = true;
        var stopping = new UnavailableException("the server is stopping", null);
        byAggregateId.values().forEach(list -> list.forEach(w -> w.future.completeExceptionally(stopping)));
    }

    private void reserve(int count) {
        while (true) {
            int now = waiting.get();
            if (now + count > capacity) throw new TooManyWaitingException(capacity);
            if (waiting.compareAndSet(now, now + count)) return;
        }
    }

    private void forget(Waiter waiter) {
        byCommandId.remove(waiter.commandId, waiter);
        byAggregateId.computeIfPresent(waiter.aggregateId, (id, list) -> without(list, waiter));
        ScheduledFuture<?> timeout = waiter.timeout;
        if (timeout != null) timeout.cancel(false);
        waiting.decrementAndGet();
    }

    private static List<Waiter> joined(List<Waiter> listed, List<Waiter> added) {
        var all = new ArrayList<Waiter>(listed.size() + added.size());
        all.addAll(listed);
        all.addAll(added);
        return List.copyOf(all);
    }

    /** @return null when none is left, which removes the aggregate's entry */
    private static List<Waiter> without(List<Waiter> listed, Waiter gone) {
        if (listed.size() == 1) return listed.getFirst() == gone ? null : listed;
        List<Waiter> rest = listed.stream().filter(w -> w != gone).toList();
        return rest.isEmpty() ? null : rest;
    }

    /** Only these end a transfer; a CONFLICT answers one request, not the transfer. */
    private static boolean isFinalTransferState(Status status) {
        return status == Status.COMPLETED || status == Status.REJECTED;
    }

    /** A request's wait; {@link #inFlight} and {@link #transferFinal} run only on the results thread. */
    private static final class Waiter {
        final String commandId;
        final String aggregateId;
        final CompletableFuture<Optional<Outcome>> future = new CompletableFuture<>();
        volatile ScheduledFuture<?> timeout;
        private boolean answeredInFlight;
        private Outcome finalOfTransfer;

        Waiter(String commandId, String aggregateId) {
            this.commandId = commandId;
            this.aggregateId = aggregateId;
        }

        /** Its own answer: the transfer was still being decided when this request's command reached it. */
        void inFlight() {
            if (finalOfTransfer != null) future.complete(Optional.of(finalOfTransfer));
            else answeredInFlight = true;
        }

        /**
         * The transfer's final outcome, answering another request. It answers this one only after an
         * {@code IN_FLIGHT}: a request not yet decided may still be told it conflicts.
         */
        void transferFinal(Outcome replay) {
            if (answeredInFlight) future.complete(Optional.of(replay));
            else finalOfTransfer = replay;
        }
    }
}
