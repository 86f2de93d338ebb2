package dev.ledger.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What one run of the closed loop observed. Every outcome is kept with the time it became known;
 * those inside the measured window (after the warm-up) count towards throughput and the latency
 * percentiles, computed when the run is over (the window may be extended while it runs, see
 * {@link #extendTo}). The per-second timeline keeps the warm-up and the tail too, for the chart.
 *
 * <p>Latencies are in microseconds in HdrHistogram (3 significant digits). A request of n transfers
 * records its latency n times: each of its transfers waited that long for its outcome.
 */
public final class LoadRecorder {
    /** Seconds of timeline kept past the planned end: extensions and requests still in flight land there. */
    private static final int SLACK_SECONDS = 600;

    private record Completion(long finalNanos, long micros, int completed, int rejected, int failed) {
    }

    private record Lag(long nanos, long micros) {
    }

    private final long startNanos;
    private final long measureStartNanos;
    private volatile long measureEndNanos;
    private final int warmupSeconds;
    private final ConcurrentLinkedQueue<Completion> completions = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Lag> lags = new ConcurrentLinkedQueue<>();
    private final Histogram[] latencyBySecond;
    private final AtomicLongArray decidedBySecond;
    private final AtomicLongArray maxLagMicrosBySecond;
    private final List<String> errorSamples = new ArrayList<>();

    public LoadRecorder(long startNanos, long warmupMillis, long measureMillis) {
        this.startNanos = startNanos;
        this.measureStartNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(warmupMillis);
        this.measureEndNanos = measureStartNanos + TimeUnit.MILLISECONDS.toNanos(measureMillis);
        this.warmupSeconds = (int) Math.ceil(warmupMillis / 1000.0);
        int seconds = (int) Math.ceil((warmupMillis + measureMillis) / 1000.0) + SLACK_SECONDS;
        this.latencyBySecond = new Histogram[seconds];
        this.decidedBySecond = new AtomicLongArray(seconds);
        this.maxLagMicrosBySecond = new AtomicLongArray(seconds);
        for (int i = 0; i < seconds; i++) maxLagMicrosBySecond.set(i, -1);
    }

    public long measureStartNanos() {
        return measureStartNanos;
    }

    public long measureEndNanos() {
        return measureEndNanos;
    }

    /** Moves the end of the measured window later (never earlier): clients keep submitting until then. */
    public void extendTo(long nanos) {
        if (nanos > measureEndNanos) measureEndNanos = nanos;
    }

    public double measuredSeconds() {
        return (measureEndNanos - measureStartNanos) / 1e9;
    }

    private boolean measuring(long nanos) {
        return nanos >= measureStartNanos && nanos < measureEndNanos;
    }

    /** A request submitted at {@code submittedNanos} whose transfers were all final at {@code finalNanos}. */
    public void record(long submittedNanos, long finalNanos, LoadTarget.Outcome outcome) {
        long micros = Math.max(1, TimeUnit.NANOSECONDS.toMicros(finalNanos - submittedNanos));
        completions.add(new Completion(finalNanos, micros, outcome.completed(), outcome.rejected(), outcome.failed()));
        int decided = outcome.decided();
        int second = second(finalNanos);
        if (decided > 0 && second >= 0) {
            latencyBySecond(second).recordValueWithCount(micros, decided);
            decidedBySecond.addAndGet(second, decided);
        }
    }

    /** A request that threw: its transfers have no known outcome. */
    public void recordError(long nanos, int transfers, Throwable error) {
        if (transfers > 0) completions.add(new Completion(nanos, 0, 0, 0, transfers));
        synchronized (errorSamples) {
            if (errorSamples.size() < 5) errorSamples.add(error.toString());
        }
    }

    /** A projection lag observed at {@code nanos}: how long after the write answered the read model showed it. */
    public void recordLag(long nanos, long lagMicros) {
        lags.add(new Lag(nanos, Math.max(1, lagMicros)));
        int second = second(nanos);
        if (second >= 0) maxLagMicrosBySecond.accumulateAndGet(second, lagMicros, Math::max);
    }

    /** Requests that ended (an outcome or an error) since the start of the measured window. */
    public long requestsSinceMeasureStart() {
        return completions.stream().filter(c -> c.finalNanos() >= measureStartNanos).count();
    }

    private Histogram latencyBySecond(int second) {
        synchronized (latencyBySecond) {
            if (latencyBySecond[second] == null) latencyBySecond[second] = new ConcurrentHistogram(3);
            return latencyBySecond[second];
        }
    }

    private int second(long nanos) {
        long second = TimeUnit.NANOSECONDS.toSeconds(nanos - startNanos);
        return second < 0 || second >= decidedBySecond.length() ? -1 : (int) second;
    }

    /** The outcomes inside the measured window, once the run is over. */
    public Totals totals() {
        var latency = new Histogram(3);
        long completed = 0;
        long rejected = 0;
        long failed = 0;
        long requests = 0;
        for (Completion c : completions) {
            if (!measuring(c.finalNanos())) continue;
            requests++;
            completed += c.completed();
            rejected += c.rejected();
            failed += c.failed();
            if (c.completed() + c.rejected() > 0) latency.recordValueWithCount(c.micros(), c.completed() + c.rejected());
        }
        var lag = new Histogram(3);
        for (Lag l : lags) {
            if (measuring(l.nanos())) lag.recordValue(l.micros());
        }
        return new Totals(requests, completed, rejected, failed, latency, lag);
    }

    public record Totals(long requests, long completed, long rejected, long failed, Histogram latency, Histogram lag) {
    }

    public List<String> errorSamples() {
        synchronized (errorSamples) {
            return List.copyOf(errorSamples);
        }
    }

    /**
     * One point per second from the start of the warm-up up to the last second with an outcome;
     * {@code t} counts seconds from the start of the measured window (negative during the warm-up).
     */
    public List<BenchResults.Point> timeline() {
        int last = Math.max(-1, second(measureEndNanos - 1));
        for (int i = 0; i < decidedBySecond.length(); i++) {
            if (decidedBySecond.get(i) > 0 || maxLagMicrosBySecond.get(i) >= 0) last = Math.max(last, i);
        }
        var points = new ArrayList<BenchResults.Point>();
        for (int i = 0; i <= last && i < decidedBySecond.length(); i++) {
            Histogram h = latencyBySecond[i];
            long lagMicros = maxLagMicrosBySecond.get(i);
            points.add(new BenchResults.Point(i - warmupSeconds, decidedBySecond.get(i),
                    h == null || h.getTotalCount() == 0 ? null : h.getValueAtPercentile(99) / 1000.0,
                    lagMicros < 0 ? null : lagMicros / 1000.0));
        }
        return points;
    }
}
