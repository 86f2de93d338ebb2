package dev.ledger.audit;

/** Told, a few times a second, how far a replay has read; for a progress display. */
@FunctionalInterface
public interface AuditProgress {
    AuditProgress NONE = (read, total, elapsedNanos) -> {
    };

    /**
     * @param recordsRead  records read so far
     * @param recordsTotal the offsets to read: an upper bound of the records (transaction markers take offsets too)
     */
    void update(long recordsRead, long recordsTotal, long elapsedNanos);
}
