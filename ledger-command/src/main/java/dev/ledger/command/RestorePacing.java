package dev.ledger.command;

import java.time.Duration;

/**
 * When a task of the calling stream thread may spend the next slice of its restore. A stream thread
 * commits all its tasks in one transaction, which the broker aborts once it has been open for the
 * transaction timeout (10 s). A restore that ran longer inside one (another task had decided before
 * it in the same commit cycle) would abort it; the thread's tasks would be revived and restore again,
 * for ever. So a restore runs in slices of {@link #SLICE}, at most one per transaction: the task that
 * takes a slice asks for a commit at the end of the pass, and each commit of the thread
 * ({@link #refill}, from the commit's hook) makes the next slice due. One per topology, and per thread
 * in it.
 *
 * <p>Not a punctuator: Kafka Streams marks a task as needing a commit after each punctuation, so a
 * punctuator scheduled for a task that never gets input (never restored) made an idle thread commit an
 * empty transaction every commit interval.
 */
final class RestorePacing {
    static final Duration SLICE = Duration.ofSeconds(1);

    private final ThreadLocal<boolean[]> sliceDue = ThreadLocal.withInitial(() -> new boolean[]{true});

    /** Takes the calling thread's slice if one is due: then no other task of the thread gets one before its commit. */
    boolean takeSlice() {
        boolean[] due = sliceDue.get();
        if (!due[0]) return false;
        due[0] = false;
        return true;
    }

    /** The calling thread commits (or a task of it starts anew): the next pass may take a slice. */
    void refill() {
        sliceDue.get()[0] = true;
    }
}
