package dev.ledger.command;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * One task's restore from its partition of the event log, in slices: each slice reads and folds for
 * a bounded time and the task goes on with the next one later, so that a long history never holds
 * the stream thread for long. The folded aggregates stay in the task's caches, which spill what they
 * have no room for to the stores.
 */
final class TaskRestore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRestore.class);

    private final String task;
    private final EventLog.Reading reading;
    private final EventLogRestore fold;
    private final long startNs = System.nanoTime();
    private int slices;
    private long deferredRecords;

    TaskRestore(String task, EventLog.Reading reading, EventLogRestore fold) {
        this.task = task;
        this.reading = reading;
        this.fold = fold;
    }

    /** Reads and folds for about {@code budget}; true once the whole partition is folded. */
    boolean slice(Duration budget) {
        slices++;
        boolean done = reading.readFor(budget, fold::accept);
        if (done) finish();
        return done;
    }

    /** A command record that came while this restore ran, sent round again. */
    void deferred() {
        deferredRecords++;
    }

    private void finish() {
        reading.close();
        long ms = (System.nanoTime() - startNs) / 1_000_000;
        LOG.info("task {}: state restored from the event log: {} events in {} ms ({} events/s) over {} slice(s), "
                        + "{} skipped; {} command record(s) sent round again meanwhile", task, fold.eventsFolded(), ms,
                ms == 0 ? "-" : fold.eventsFolded() * 1000 / ms, slices, fold.eventsSkipped(), deferredRecords);
    }

    /** Stops a restore that will not finish (the task is closed): its reading's consumer is closed. */
    @Override
    public void close() {
        reading.close();
    }
}
