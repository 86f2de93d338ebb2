package dev.ledger.projection;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@link ReadModelBuffer}s of the tasks the calling stream thread runs, by partition, so that the
 * first of them to flush in a commit can write the pending events of all of them in one PostgreSQL
 * transaction: at 12 partitions one transaction per commit instead of up to twelve. A stream thread
 * flushes its tasks one after the other, before it commits their offsets, so nothing else touches a
 * buffer meanwhile; writing another task's events before its own flush is the early write every buffer
 * allows already (the offsets come later, the writer is idempotent).
 *
 * <p>One per topology, and per thread inside it: tasks of two topologies, or of two threads, never see
 * each other. A buffer joins when Kafka Streams initialises its task and leaves when it closes it.
 */
final class ThreadBuffers {
    private final ThreadLocal<Map<Integer, ReadModelBuffer>> byPartition = ThreadLocal.withInitial(TreeMap::new);

    void join(int partition, ReadModelBuffer buffer) {
        byPartition.get().put(partition, buffer);
    }

    void leave(int partition, ReadModelBuffer buffer) {
        byPartition.get().remove(partition, buffer);
    }

    /** The calling thread's buffers, in partition order. */
    List<ReadModelBuffer> ofThisThread() {
        return List.copyOf(byPartition.get().values());
    }
}
