package dev.ledger.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Something of each task of one Kafka Streams topology that the calling stream thread runs, by partition.
 * A stream thread processes its tasks one record at a time and flushes and commits all of them together,
 * so one task may act for the others of its thread: the command processor applies a saga step to an
 * aggregate of another task of its thread at once, in the same Kafka transaction; the projection's first
 * task to flush writes the pending events of all of them in one PostgreSQL transaction. A task of another
 * thread or instance is never reached this way.
 *
 * <p>One per topology, and per thread inside it: tasks of two topologies, or of two threads, never see
 * each other. Tasks enter when Kafka Streams initialises them and leave when it closes them, both on the
 * thread that runs them.
 */
public final class ThreadTasks<T> {
    private final ThreadLocal<Map<Integer, T>> byPartition = ThreadLocal.withInitial(HashMap::new);

    public void add(int partition, T task) {
        byPartition.get().put(partition, task);
    }

    public void remove(int partition, T task) {
        byPartition.get().remove(partition, task);
    }

    /** The task of this partition on the calling thread, or null when another thread or instance owns it. */
    public T get(int partition) {
        return byPartition.get().get(partition);
    }

    /** Every task of the calling thread, in partition order. */
    public List<T> all() {
        return List.copyOf(new TreeMap<>(byPartition.get()).values());
    }
}
