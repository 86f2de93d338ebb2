package dev.ledger.bench;

import java.util.List;

/**
 * One system under load: the Kafka limit, a PostgreSQL baseline, or the ledger. Each client of the
 * closed loop opens a session of its own (a JDBC connection, say) and submits one request after the
 * other; a request holds one transfer (single scenario) or many (batch scenario).
 */
public interface LoadTarget {
    /** A short stable name, used as a key in results.json: {@code kafka-limit}, {@code postgres-as-deployed}, ... */
    String name();

    /** What the report calls it. */
    String label();

    /** How it is measured, in a sentence for the report. */
    String description(Scenario scenario);

    Session openSession() throws Exception;

    /** Before the load starts (the recorder's clock is running). */
    default void loadStarting(Scenario scenario, LoadRecorder recorder) {
    }

    /** After every client finished: for the ledger, how long the read model took to catch up. */
    default BenchResults.ProjectionLag loadFinished() {
        return null;
    }

    interface Session extends AutoCloseable {
        /**
         * Submits the transfers as one request and returns once each of them has a final outcome
         * (completed or rejected), or has failed. Must not return before that.
         */
        Outcome submit(List<Workload.Transfer> transfers) throws Exception;

        /** Releases what the session holds (a connection); never blocks. */
        @Override
        default void close() throws java.sql.SQLException {
        }
    }

    /**
     * @param completed transfers that completed
     * @param rejected  transfers that were decided and rejected (insufficient funds, ...): final too
     * @param failed    transfers without an outcome (an error, a timeout): not counted as throughput
     * @param finalAtNanos when the last outcome became known (System.nanoTime), 0 for "on return"
     */
    record Outcome(int completed, int rejected, int failed, long finalAtNanos) {
        public static Outcome completed(int count) {
            return new Outcome(count, 0, 0, 0);
        }

        public static Outcome failed(int count) {
            return new Outcome(0, 0, count, 0);
        }

        public int decided() {
            return completed + rejected;
        }
    }
}
