package dev.ledger.command;

import dev.ledger.domain.Outcome;
import dev.ledger.domain.account.AccountCommand.CloseAccount;
import dev.ledger.kafka.CommandEnvelope;
import dev.ledger.kafka.CommandResult;
import dev.ledger.kafka.EventRecords;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a stream thread decided leaves at its commit as one record per partition and kind, in decision
 * order, and what an aborted task decided is dropped without touching its neighbours' outputs.
 */
class CommitOutputsTest {
    private final CommitOutputs outputs = new CommitOutputs();
    private final RecordingSink sink = new RecordingSink();

    /** The records the processor would write: kind, then the ids of what each holds. */
    private static final class RecordingSink implements CommitOutputs.Sink {
        final List<String> records = new ArrayList<>();

        @Override
        public void events(List<EventRecords.Stored> events, long timestampMs) {
            records.add("events " + events.stream().map(e -> new String(e.value(), StandardCharsets.UTF_8)).toList()
                    + " @" + timestampMs);
        }

        @Override
        public void steps(List<CommandEnvelope> steps, long timestampMs) {
            records.add("steps " + steps.stream().map(CommandEnvelope::commandId).toList());
        }

        @Override
        public void results(List<CommandResult> results, long timestampMs) {
            records.add("results " + results.stream().map(CommandResult::commandId).toList());
        }
    }

    @Test
    void the_outputs_of_many_input_records_leave_as_one_record_per_partition_and_kind_in_decision_order() {
        // three input records of tasks 0, 1 and 2, each writing events to its own and to other partitions
        outputs.event(0, 0, event("t0-a"), 10, sink);
        outputs.event(0, 5, event("t0-b"), 10, sink);
        outputs.result(0, result("c0"), 10, sink);
        outputs.event(1, 5, event("t1-a"), 11, sink);
        outputs.event(1, 1, event("t1-b"), 11, sink);
        outputs.step(1, 7, step("s1"), 11, sink);
        outputs.result(1, result("c1"), 11, sink);
        outputs.event(2, 0, event("t2-a"), 12, sink);
        outputs.step(2, 7, step("s2"), 12, sink);
        outputs.result(2, result("c2"), 12, sink);
        assertThat(sink.records).as("nothing leaves before the commit").isEmpty();

        outputs.forwardAll(sink);

        assertThat(sink.records).containsExactly(
                "events [t0-a, t2-a] @10", "events [t0-b, t1-a] @10", "events [t1-b] @11",
                "steps [s1, s2]", "results [c0, c1, c2]");
        assertThat(outputs.isEmpty()).isTrue();
        outputs.forwardAll(sink);
        assertThat(sink.records).as("a second hand-over in the same commit finds nothing").hasSize(5);
    }

    @Test
    void a_partitions_events_leave_early_once_they_fill_a_record_and_the_rest_follow_at_the_commit() {
        byte[] big = new byte[EventRecords.MAX_RECORD_BYTES / 3];
        for (int i = 0; i < 4; i++) outputs.event(0, 3, new EventRecords.Stored("a", big, new byte[32]), i, sink);
        assertThat(sink.records).as("two fit in a record; the third starts the next").hasSize(1);
        outputs.forwardAll(sink);
        assertThat(sink.records).hasSize(2);
    }

    @Test
    void a_task_closed_with_outputs_pending_loses_only_its_own() {
        outputs.event(0, 4, event("t0-a"), 10, sink);
        outputs.event(1, 4, event("t1-a"), 11, sink);
        outputs.step(1, 2, step("s1"), 11, sink);
        outputs.result(0, result("c0"), 10, sink);
        outputs.result(1, result("c1"), 11, sink);

        assertThat(outputs.drop(1)).isEqualTo(3);
        outputs.forwardAll(sink);

        assertThat(sink.records).containsExactly("events [t0-a] @10", "results [c0]");
        assertThat(outputs.drop(0)).as("handed over: nothing left to drop").isZero();
    }

    @Test
    void each_stream_thread_has_its_own_outputs() throws Exception {
        outputs.event(0, 0, event("this-thread"), 1, sink);
        try (var other = Executors.newSingleThreadExecutor()) {
            assertThat(other.submit(outputs::isEmpty).get()).isTrue();
            other.submit(() -> outputs.forwardAll(sink)).get();
        }
        assertThat(sink.records).isEmpty();
        assertThat(outputs.isEmpty()).isFalse();
    }

    private static EventRecords.Stored event(String id) {
        return new EventRecords.Stored(id, id.getBytes(StandardCharsets.UTF_8), new byte[32]);
    }

    private static CommandEnvelope step(String id) {
        return CommandEnvelope.fromClient(id, Instant.EPOCH, new CloseAccount("acc-" + id));
    }

    private static CommandResult result(String commandId) {
        return new CommandResult("acc-" + commandId, commandId, Outcome.of(Outcome.Status.COMPLETED, Map.of()));
    }
}
