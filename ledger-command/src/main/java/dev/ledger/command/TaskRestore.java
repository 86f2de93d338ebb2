package dev.ledger.command;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * One task's restore from its partition of the event log, in slices: each slice reads and folds for
 * a bounded time and the task goes on with the next one later, so that a long history never holds
 * the stream thread for long. The folded aggregates reach the task's stores every so many events
 * (bounded memory, hot aggregates written once per flush) and at the end.
 */
final class TaskRestore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRestore.class);
    /** The folded aggregates are written to the stores every so many events. */
    private static final int FLUSH_EVENTS = 10_000;

    private final String task;
    private final EventLog.Reading reading;
    private final EventLogRestore fold;
    private final CommandProcessor.TaskAggregates aggregates;
    private final long startNs = System.nanoTime();
    private long flushedAtEvents;
    private int slices;
    private long deferredRecords;

    /** @param aggregates the task's, cleared: the fold rebuilds them from nothing */
    TaskRestore(String task, EventLog.Reading reading, EventLogRestore fold, CommandProcessor.TaskAggregates aggregates) {
        this.task = task;
        this.reading = reading;
        this.fold = fold;
        this.aggregates = aggregates;
    }

    /** Reads and folds for about {@code budget}; true once the whole partition is folded and stored. */
    boolean slice(Duration budget) {
        slices++;
        boolean done = reading.readFor(budget, record -> {
            fold.accept(record);
            if (fold.eventsFolded() - flushedAtEvents >= FLUSH_EVENTS) {
                aggregates.writeChanges();
                flushedAtEvents = fold.eventsFolded();
            }
        });
        if (done) finish();
        return done;
    }

    /** A command record that came while this restore ran, sent round again. */
    void deferred() {
        deferredRecords++;
    }

    private void finish() {
        aggregates.writeChanges();
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
