package dev.ledger.kafka;

/**
 * The stages of a command's way from the API to its outcome, each timed per command under one metric
 * ({@link #METRIC}, tag {@link #TAG}), so that a latency can be split where it is spent:
 * <ol>
 *   <li>{@link #QUEUED}: from the API taking the request to handing its record to the producer (the
 *       batcher's queue and linger);</li>
 *   <li>{@link #ACKNOWLEDGED}: from the producer taking the record to the broker acknowledging it;</li>
 *   <li>{@link #FETCHED}: from the producer taking the record (its timestamp) to the command processor
 *       deciding it: the producer's linger, the append, the stream thread's fetch and whatever it was
 *       doing meanwhile (a commit);</li>
 *   <li>{@link #COMMITTED}: from the processor deciding the first command of a commit (its answers' record
 *       timestamp) to the API reading the answer: the rest of the commit cycle, the commit, the
 *       transaction markers and the results consumer's fetch.</li>
 * </ol>
 * The timestamps crossing processes are wall-clock milliseconds (record timestamps), the others
 * monotonic nanoseconds. What a client sees on top is the HTTP exchange.
 */
public final class CommandStages {
    public static final String METRIC = "ledger.command.stage.latency";
    public static final String TAG = "stage";
    public static final String QUEUED = "queued";
    public static final String ACKNOWLEDGED = "acknowledged";
    public static final String FETCHED = "fetched";
    public static final String COMMITTED = "committed";
    public static final String DESCRIPTION = "time a command spends in one stage of its way to an outcome";

    private CommandStages() {
    }
}
