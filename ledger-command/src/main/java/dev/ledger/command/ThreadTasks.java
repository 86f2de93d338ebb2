package dev.ledger.command;

import java.util.HashMap;
import java.util.Map;

/**
 * The tasks of the command topology that the current stream thread runs, by partition. A stream
 * thread processes its tasks one record at a time and commits all of them in one Kafka transaction
 * (exactly_once_v2 gives each thread one producer), so a saga step for an aggregate of any of them
 * can be applied at once, in the same transaction, instead of a round trip through the commands
 * topic and a commit: the same atomicity as the same-partition fast path. The thread stays the one
 * writer of each partition it owns; a task of another thread or instance is reached through Kafka.
 *
 * <p>One per topology, and per thread inside it: tasks of two topologies, or of two threads, never
 * see each other. Tasks enter when Kafka Streams initialises them (after their committed offsets were
 * fetched, so a previous owner's transaction is settled) and leave when it closes them.
 */
final class ThreadTasks<T> {
    private final ThreadLocal<Map<Integer, T>> byPartition = ThreadLocal.withInitial(HashMap::new);

    void add(int partition, T task) {
        byPartition.get().put(partition, task);
    }

    void remove(int partition, T task) {
        byPartition.get().remove(partition, task);
    }

    /** The task of this partition on the calling thread, or null when another thread or instance owns it. */
    T get(int partition) {
        return byPartition.get().get(partition);
    }
}
