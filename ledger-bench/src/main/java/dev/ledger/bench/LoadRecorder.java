package dev.ledger.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What one run of the closed loop observed. Every outcome is filed under the second in which it
 * became known; only those of the measured window (after the warm-up) count towards throughput and
 * the latency percentiles, but the timeline keeps the warm-up seconds too, for the chart.
 *
 * <p>Latencies are in microseconds in HdrHistogram (3 significant digits). A request of n transfers
 * records its latency n times: each of its transfers waited that long for its outcome.
 */
public final class LoadRecorder {
    /** Seconds of timeline kept past the planned end: requests still in flight at the end land there. */
    private static final int SLACK_SECONDS = 180;

    private final long startNanos;
    private final long measureStartNanos;
    private final long measureEndNanos;
    private final int warmupSeconds;
    private final Histogram latency = new ConcurrentHistogram(3);
    private final Histogram[] latencyBySecond;
    private final AtomicLongArray decidedBySecond;
    private final Histogram lag = new ConcurrentHistogram(3);
    private final AtomicLongArray maxLagMicrosBySecond;
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final List<String> errorSamples = new ArrayList<>();

    public LoadRecorder(long startNanos, long warmupMillis, long measureMillis) {
        this.startNanos = startNanos;
        this.measureStartNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(warmupMillis);
        this.measureEndNanos = measureStartNanos + TimeUnit.MILLISECONDS.toNanos(measureMillis);
        this.warmupSeconds = (int) Math.ceil(warmupMillis / 1000.0);
        int seconds = (int) Math.ceil((warmupMillis + measureMillis) / 1000.0) + SLACK_SECONDS;
        this.latencyBySecond = new Histogram[seconds];
        for (int i = 0; i < seconds; i++) latencyBySecond[i] = new ConcurrentHistogram(3);
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

    public boolean measuring(long nanos) {
        return nanos >= measureStartNanos && nanos < measureEndNanos;
    }

    /** A request submitted at {@code submittedNanos} whose transfers were all final at {@code finalNanos}. */
    public void record(long submittedNanos, long finalNanos, LoadTarget.Outcome outcome) {
        int decided = outcome.decided();
        long micros = Math.max(1, TimeUnit.NANOSECONDS.toMicros(finalNanos - submittedNanos));
        int second = second(finalNanos);
        if (decided > 0 && second >= 0) {
            latencyBySecond[second].recordValueWithCount(micros, decided);
            decidedBySecond.addAndGet(second, decided);
        }
        if (!measuring(finalNanos)) return;
        requests.incrementAndGet();
        if (decided > 0) latency.recordValueWithCount(micros, decided);
        completed.addAndGet(outcome.completed());
        rejected.addAndGet(outcome.rejected());
        failed.addAndGet(outcome.failed());
    }

    /** A request that threw: its transfers have no known outcome. */
    public void recordError(long nanos, int transfers, Throwable error) {
        if (measuring(nanos)) failed.addAndGet(transfers);
        synchronized (errorSamples) {
            if (errorSamples.size() < 5) errorSamples.add(error.toString());
        }
    }

    /** A projection lag observed at {@code nanos}: how long after the write answered the read model showed it. */
    public void recordLag(long nanos, long lagMicros) {
        int second = second(nanos);
        if (second >= 0) maxLagMicrosBySecond.accumulateAndGet(second, lagMicros, Math::max);
        if (measuring(nanos)) lag.recordValue(Math.max(1, lagMicros));
    }

    private int second(long nanos) {
        long second = TimeUnit.NANOSECONDS.toSeconds(nanos - startNanos);
        return second < 0 || second >= decidedBySecond.length() ? -1 : (int) second;
    }

    public long completed() {
        return completed.get();
    }

    public long rejected() {
        return rejected.get();
    }

    public long failed() {
        return failed.get();
    }

    public long requests() {
        return requests.get();
    }

    public Histogram latency() {
        return latency;
    }

    public Histogram lag() {
        return lag;
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
        int last = -1;
        for (int i = 0; i < decidedBySecond.length(); i++) {
            if (decidedBySecond.get(i) > 0 || maxLagMicrosBySecond.get(i) >= 0) last = i;
        }
        int plannedEnd = second(measureEndNanos - 1);
        last = Math.max(last, plannedEnd);
        var points = new ArrayList<BenchResults.Point>();
        for (int i = 0; i <= last && i < decidedBySecond.length(); i++) {
            Histogram h = latencyBySecond[i];
            long lagMicros = maxLagMicrosBySecond.get(i);
            points.add(new BenchResults.Point(i - warmupSeconds, decidedBySecond.get(i),
                    h.getTotalCount() == 0 ? null : h.getValueAtPercentile(99) / 1000.0,
                    lagMicros < 0 ? null : lagMicros / 1000.0));
        }
        return points;
    }
}
