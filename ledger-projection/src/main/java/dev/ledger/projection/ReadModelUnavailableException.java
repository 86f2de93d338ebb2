package dev.ledger.projection;

/**
 * PostgreSQL stayed unreachable for a whole flush budget. Transient by nature: the stream thread is
 * replaced and resumes from the last committed offsets, which never cover an unwritten event.
 */
public final class ReadModelUnavailableException extends RuntimeException {
    public ReadModelUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
