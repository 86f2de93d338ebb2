package dev.ledger.api;

import dev.ledger.domain.Outcome;
import dev.ledger.domain.Outcome.Status;
import dev.ledger.domain.Reason;
import dev.ledger.kafka.CommandResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The waiter registry fed with results directly, as the Kafka reader would feed it. */
class ResultWaitersTest {
    private static final long LONG_WAIT_MS = 10_000;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ResultWaiters waiters = new ResultWaiters(3, timer);

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private CompletableFuture<Optional<Outcome>> await(String commandId, String aggregateId, long waitMs) {
        return waiters.register(List.of(new ResultWaiters.Expected(commandId, aggregateId)), waitMs).get(0);
    }

    private static Outcome inFlight() {
        return new Outcome(Status.IN_FLIGHT, null, Map.of(), true);
    }

    @Test
    void given_a_waiter_when_its_command_result_arrives_then_it_gets_the_outcome_and_frees_its_slot() {
        var waiter = await("c-1", "alice", LONG_WAIT_MS);

        waiters.dispatch(new CommandResult("alice", "c-1", Outcome.of(Status.OPENED, Map.of("alice", 1L))));

        assertThat(waiter).isCompletedWithValue(Optional.of(Outcome.of(Status.OPENED, Map.of("alice", 1L))));
        assertThat(waiters.waiting()).isZero();
    }

    @Test
    void given_a_waiter_when_a_result_of_another_command_arrives_then_it_keeps_waiting() {
        var waiter = await("c-1", "alice", LONG_WAIT_MS);

        waiters.dispatch(new CommandResult("alice", "c-other", Outcome.conflict()));

        assertThat(waiter).isNotDone();
        assertThat(waiters.waiting()).isEqualTo(1);
    }

    @Test
    void given_a_retry_of_a_transfer_in_flight_when_the_original_completes_then_the_retry_gets_it_as_a_replay() {
        var original = await("c-original", "t-1", LONG_WAIT_MS);
        var retry = await("c-retry", "t-1", LONG_WAIT_MS);
        var completed = Outcome.of(Status.COMPLETED, Map.of("alice", 3L, "bob", 2L));

        waiters.dispatch(new CommandResult("t-1", "c-retry", inFlight()));
        assertThat(retry).isNotDone();
        waiters.dispatch(new CommandResult("t-1", "c-original", completed));

        assertThat(original).isCompletedWithValue(Optional.of(completed));
        assertThat(retry).isCompletedWithValue(Optional.of(completed.asReplay()));
        assertThat(waiters.waiting()).isZero();
    }

    @Test
    void given_a_retry_in_flight_on_another_instance_when_the_final_result_arrives_then_the_retry_still_gets_it() {
        var retry = await("c-retry", "t-1", LONG_WAIT_MS);
        var rejected = Outcome.rejected(Reason.INSUFFICIENT_FUNDS, Map.of());

        waiters.dispatch(new CommandResult("t-1", "c-retry", inFlight()));
        waiters.dispatch(new CommandResult("t-1", "c-started-elsewhere", rejected));

        assertThat(retry).isCompletedWithValue(Optional.of(rejected.asReplay()));
    }

    /** The final result and the retry's IN_FLIGHT can travel to different partitions of the results topic. */
    @Test
    void given_a_retry_when_the_final_result_is_read_before_its_in_flight_answer_then_the_retry_still_gets_it() {
        var retry = await("c-retry", "t-1", LONG_WAIT_MS);
        var completed = Outcome.of(Status.COMPLETED, Map.of("alice", 3L, "bob", 2L));

        waiters.dispatch(new CommandResult("t-1", "c-original", completed));
        assertThat(retry).as("not yet decided: it may still be a conflict").isNotDone();
        waiters.dispatch(new CommandResult("t-1", "c-retry", inFlight()));

        assertThat(retry).isCompletedWithValue(Optional.of(completed.asReplay()));
        assertThat(waiters.waiting()).isZero();
    }

    @Test
    void given_a_request_for_a_transfer_when_the_transfer_ends_before_it_is_decided_then_its_own_answer_counts() {
        var conflicting = await("c-different-body", "t-1", LONG_WAIT_MS);

        waiters.dispatch(new CommandResult("t-1", "c-original", Outcome.of(Status.COMPLETED, Map.of())));
        waiters.dispatch(new CommandResult("t-1", "c-different-body", Outcome.conflict()));

        assertThat(conflicting).isCompletedWithValue(Optional.of(Outcome.conflict()));
    }

    @Test
    void given_a_retry_waiting_for_a_transfer_when_another_request_conflicts_then_the_retry_keeps_waiting() {
        var retry = await("c-retry", "t-1", LONG_WAIT_MS);
        waiters.dispatch(new CommandResult("t-1", "c-retry", inFlight()));

        waiters.dispatch(new CommandResult("t-1", "c-different-body", Outcome.conflict()));

        assertThat(retry).isNotDone();
    }

    @Test
    void given_no_result_when_the_wait_ends_then_the_waiter_gets_nothing_and_frees_its_slot() {
        var waiter = await("c-1", "t-1", 50);

        assertThat(waiter.orTimeout(5, TimeUnit.SECONDS).join()).isEmpty();
        assertThat(waiters.waiting()).isZero();
        // a late result finds nobody, and does no harm
        waiters.dispatch(new CommandResult("t-1", "c-1", Outcome.of(Status.COMPLETED, Map.of())));
    }

    @Test
    void given_a_retry_moved_to_its_transfer_when_it_times_out_then_nothing_is_left_behind() {
        var retry = await("c-retry", "t-1", 50);
        waiters.dispatch(new CommandResult("t-1", "c-retry", inFlight()));

        assertThat(retry.orTimeout(5, TimeUnit.SECONDS).join()).isEmpty();

        assertThat(waiters.waiting()).isZero();
    }

    @Test
    void given_waiters_at_capacity_when_more_register_then_they_are_refused_all_or_none() {
        await("c-1", "a", LONG_WAIT_MS);
        await("c-2", "b", LONG_WAIT_MS);

        assertThatThrownBy(() -> waiters.register(List.of(new ResultWaiters.Expected("c-3", "c"),
                new ResultWaiters.Expected("c-4", "d")), LONG_WAIT_MS)).isInstanceOf(TooManyWaitingException.class);
        assertThat(waiters.waiting()).isEqualTo(2);
        await("c-3", "c", LONG_WAIT_MS); // one still fits
        assertThatThrownBy(() -> await("c-4", "d", LONG_WAIT_MS)).isInstanceOf(TooManyWaitingException.class);
    }

    @Test
    void given_waiters_when_the_registry_closes_then_each_fails_as_unavailable() {
        var waiter = await("c-1", "a", LONG_WAIT_MS);
        var retry = await("c-2", "t-1", LONG_WAIT_MS);
        waiters.dispatch(new CommandResult("t-1", "c-2", inFlight()));

        waiters.close();

        assertThat(waiter).isCompletedExceptionally();
        assertThat(retry).isCompletedExceptionally();
        assertThat(waiters.waiting()).isZero();
        assertThatThrownBy(() -> await("c-3", "a", LONG_WAIT_MS)).isInstanceOf(UnavailableException.class);
    }
}
