package dev.ledger.command;

import dev.ledger.kafka.CommandEnvelope;
import dev.ledger.kafka.CommandRecords;
import dev.ledger.kafka.CommandResult;
import dev.ledger.kafka.EventRecords;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the command processor's tasks on one stream thread decided since the thread's last commit, not
 * yet handed to the producer: the events by partition, the saga's next steps by partition, the answers.
 * Everything a thread writes between two commits is in one Kafka transaction (exactly_once_v2 gives each
 * thread one producer), so it can leave as one record per partition and kind at the commit instead of
 * one per input record: with 12 partitions a command record holds few commands, and its events, bound
 * for up to three partitions each, and its answers would otherwise each be records of their own.
 *
 * <p>Each pending output remembers the task (the input partition) whose record it came from. When a
 * task closes with outputs still pending, no commit took them (a clean close commits first, and the
 * commit hands everything over), so its transaction is being aborted: that task's outputs are dropped,
 * and its input is read again. Another task's pending outputs stay: they will be in the commit that
 * covers that task's input.
 *
 * <p>Per partition, outputs leave in the order they were decided: an aggregate's events keep their
 * sequence. A partition's events leave early, while the thread processes, once they fill a record.
 * One instance per topology; each stream thread sees only its own (not thread-safe, and never shared).
 */
final class CommitOutputs {
    /** Writes the records; the processor's forwarding, set up for whichever task hands them over. */
    interface Sink {
        void events(List<EventRecords.Stored> events, long timestampMs);

        void steps(List<CommandEnvelope> steps, long timestampMs);

        void results(List<CommandResult> results, long timestampMs);
    }

    private record Pending<T>(int task, T output, long timestampMs) {
    }

    private final ThreadLocal<Outputs> onThread = ThreadLocal.withInitial(Outputs::new);

    void event(int task, int partition, EventRecords.Stored event, long timestampMs, Sink sink) {
        onThread.get().event(task, partition, event, timestampMs, sink);
    }

    void step(int task, int partition, CommandEnvelope step, long timestampMs, Sink sink) {
        onThread.get().step(task, partition, step, timestampMs, sink);
    }

    void result(int task, CommandResult result, long timestampMs, Sink sink) {
        onThread.get().result(task, result, timestampMs, sink);
    }

    /** Hands every pending output of this thread to the sink: at the commit, before the transaction ends. */
    void forwardAll(Sink sink) {
        onThread.get().forwardAll(sink);
    }

    /** Drops what this task decided that no commit took: its transaction is aborted. */
    int drop(int task) {
        return onThread.get().drop(task);
    }

    boolean isEmpty() {
        return onThread.get().isEmpty();
    }

    private static final class Outputs {
        /** In the order each partition first had one; each partition's in decision order. */
        private final Map<Integer, PartitionEvents> events = new LinkedHashMap<>();
        private final Map<Integer, List<Pending<CommandEnvelope>>> steps = new TreeMap<>();
        private final List<Pending<CommandResult>> results = new ArrayList<>();

        void event(int task, int partition, EventRecords.Stored event, long timestampMs, Sink sink) {
            events.computeIfAbsent(partition, p -> new PartitionEvents()).add(new Pending<>(task, event, timestampMs), sink);
        }

        void step(int task, int partition, CommandEnvelope step, long timestampMs, Sink sink) {
            var pending = steps.computeIfAbsent(partition, p -> new ArrayList<>());
            pending.add(new Pending<>(task, step, timestampMs));
            if (pending.size() == CommandRecords.MAX_COMMANDS_PER_RECORD) forward(pending, sink::steps);
        }

        void result(int task, CommandResult result, long timestampMs, Sink sink) {
            results.add(new Pending<>(task, result, timestampMs));
            if (results.size() == CommandRecords.MAX_COMMANDS_PER_RECORD) forward(results, sink::results);
        }

        void forwardAll(Sink sink) {
            events.values().forEach(partition -> partition.forward(sink));
            events.clear();
            steps.values().forEach(pending -> forward(pending, sink::steps));
            steps.clear();
            forward(results, sink::results);
        }

        int drop(int task) {
            int dropped = 0;
            for (PartitionEvents partition : events.values()) dropped += partition.drop(task);
            events.values().removeIf(PartitionEvents::isEmpty);
            for (var pending : steps.values()) dropped += dropFrom(pending, task);
            steps.values().removeIf(List::isEmpty);
            dropped += dropFrom(results, task);
            return dropped;
        }

        boolean isEmpty() {
            return events.isEmpty() && steps.isEmpty() && results.isEmpty();
        }
    }

    /** One partition's events, as few records as fit. */
    private static final class PartitionEvents {
        private final List<Pending<EventRecords.Stored>> pending = new ArrayList<>();
        private int bytes = EventRecords.emptyBatchSize();

        void add(Pending<EventRecords.Stored> event, Sink sink) {
            int size = EventRecords.sizeInBatch(event.output().value(), event.output().hash());
            if (!pending.isEmpty() && bytes + size > EventRecords.MAX_RECORD_BYTES) forward(sink);
            pending.add(event);
            bytes += size;
        }

        void forward(Sink sink) {
            CommitOutputs.forward(pending, sink::events);
            bytes = EventRecords.emptyBatchSize();
        }

        int drop(int task) {
            int dropped = dropFrom(pending, task);
            bytes = EventRecords.emptyBatchSize();
            for (var event : pending) bytes += EventRecords.sizeInBatch(event.output().value(), event.output().hash());
            return dropped;
        }

        boolean isEmpty() {
            return pending.isEmpty();
        }
    }

    private interface RecordWriter<T> {
        void write(List<T> outputs, long timestampMs);
    }

    /** One record of them all, stamped with the first one's time; the list is empty afterwards. */
    private static <T> void forward(List<Pending<T>> pending, RecordWriter<T> writer) {
        if (pending.isEmpty()) return;
        var outputs = new ArrayList<T>(pending.size());
        pending.forEach(p -> outputs.add(p.output()));
        long timestampMs = pending.getFirst().timestampMs();
        pending.clear();
        writer.write(outputs, timestampMs);
    }

    private static <T> int dropFrom(List<Pending<T>> pending, int task) {
        int before = pending.size();
        pending.removeIf(p -> p.task() == task);
        return before - pending.size();
    }
}
