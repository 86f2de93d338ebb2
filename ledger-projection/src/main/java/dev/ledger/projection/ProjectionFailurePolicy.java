package dev.ledger.projection;

import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a dead stream thread means. An event that cannot be decoded or applied never gets here: it makes
 * its partition stuck and parked (see {@link ReadModelBuffer}), and the thread goes on. PostgreSQL being
 * away longer than a flush budget is transient: replace the thread, which resumes from the last committed
 * offsets (they never cover an unwritten or unparked event). What is left is a bug no single event
 * explains (offsets committed before the buffer was written, the parked table refusing a row): it would
 * fail the same way again, so stop this instance loudly rather than loop over it or skip anything.
 */
final class ProjectionFailurePolicy implements StreamsUncaughtExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ProjectionFailurePolicy.class);

    @Override
    public StreamThreadExceptionResponse handle(Throwable failure) {
        if (hasCause(failure, ReadModelUnavailableException.class)) {
            log.error("read model projection: PostgreSQL unavailable beyond the flush budget; replacing the "
                    + "stream thread, which resumes from the last committed offsets", failure);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        }
        log.error("read model projection STOPPED by a failure no single event explains: it cannot go on "
                + "without skipping or corrupting an event; fix the cause and restart", failure);
        return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }

    static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) return true;
        }
        return false;
    }
}
