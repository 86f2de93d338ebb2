package dev.ledger.command;

import java.time.Duration;

/**
 * When a task of the calling stream thread may spend the next slice of its restore. A stream thread
 * commits all its tasks in one transaction, which the broker aborts once it has been open for the
 * transaction timeout (10 s). A restore that ran longer inside one (another task had decided before
 * it in the same commit cycle) would abort it; the thread's tasks would be revived and restore again,
 * for ever. So a restore runs in slices of {@link #SLICE}, at most one per pass of the thread's loop:
 * a pass processes, then runs the punctuators (one of which, {@link #refill}, makes the next slice
 * due), then commits, and the task that took a slice asks for that commit. One per topology, and per
 * thread in it.
 */
final class RestorePacing {
    static final Duration SLICE = Duration.ofSeconds(1);
    /** How often an unrestored task's punctuator makes the next slice due: at most once per pass. */
    static final Duration REFILL_INTERVAL = Duration.ofMillis(1);

    private final ThreadLocal<boolean[]> sliceDue = ThreadLocal.withInitial(() -> new boolean[]{true});

    /** Takes the calling thread's slice if one is due: then no other task of the thread gets one in this pass. */
    boolean takeSlice() {
        boolean[] due = sliceDue.get();
        if (!due[0]) return false;
        due[0] = false;
        return true;
    }

    /** A pass of the thread's loop came to its punctuators: the next pass may take a slice. */
    void refill() {
        sliceDue.get()[0] = true;
    }
}
