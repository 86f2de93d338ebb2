package dev.ledger.bench;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

/**
 * The open loop: single transfers offered at a constant rate, request {@code i} due at
 * {@code start + i / rate} whatever became of the earlier ones, the way independent payers arrive.
 *
 * <p>Latency is measured from each request's <em>intended</em> send time to its final outcome. A closed
 * loop, or an open loop that times from the actual send, hides a stall: the requests that should have
 * been sent during it are sent late, and their wait is never counted (coordinated omission). Here a
 * request that had to wait - for the sender, or for a free slot when {@code maxInFlight} requests are
 * already out - carries that wait in its latency.
 *
 * <p>Bounded: at most {@code maxInFlight} requests in flight (each on a virtual thread of its own), and
 * a hard end {@link #DRAIN_TIMEOUT_S} seconds after the measured window: the requests still without an
 * outcome then are cancelled and counted as timed out, as are those due in the window that could not
 * be sent by then because every slot stayed taken. The run stops by itself. Only requests due inside
 * the measured window (after the warm-up) are counted.
 */
public final class OpenLoop {
    /** How long requests still in flight at the end of the window may take before they count as timed out. */
    static final long DRAIN_TIMEOUT_S = 10;
    private static final long START_DELAY_MS = 100;

    private OpenLoop() {
    }

    public record Plan(String sequence, int ratePerSecond, int maxInFlight, int warmupSeconds, int measureSeconds) {
        public Plan {
            if (ratePerSecond < 1 || maxInFlight < 1 || measureSeconds < 1 || warmupSeconds < 0) {
                throw new IllegalArgumentException("rate, in-flight bound and duration must be positive");
            }
        }
    }

    public static BenchResults.SystemResult run(LoadTarget target, Workload workload, Plan plan,
                                                ResourceSampler resources) throws InterruptedException {
        Double loadBefore = BenchMachine.loadAverage();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_DELAY_MS);
        long measureStart = start + TimeUnit.SECONDS.toNanos(plan.warmupSeconds());
        long measureEnd = measureStart + TimeUnit.SECONDS.toNanos(plan.measureSeconds());
        long hardEnd = measureEnd + TimeUnit.SECONDS.toNanos(DRAIN_TIMEOUT_S);
        double intervalNanos = 1e9 / plan.ratePerSecond();
        long due = (long) (plan.warmupSeconds() + plan.measureSeconds()) * plan.ratePerSecond();
        var recorder = new LoadRecorder(start, plan.warmupSeconds() * 1000L, plan.measureSeconds() * 1000L);
        var run = new Run(measureStart, measureEnd);
        var slots = new Semaphore(plan.maxInFlight());
        var sent = new AtomicLong();
        long notSent = 0;
        ResourceSampler.Window window = null;
        ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
        try {
            for (long i = 0; i < due; i++) {
                long intended = start + (long) (i * intervalNanos);
                parkUntil(intended);
                if (window == null && intended >= measureStart) window = resources.start();
                long left = hardEnd - System.nanoTime();
                if (left <= 0 || !slots.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    // every slot stayed taken until the hard end: the rest of the window was never sent
                    for (long k = i; k < due; k++) {
                        if (start + (long) (k * intervalNanos) >= measureStart) notSent++;
                    }
                    break;
                }
                Workload.Transfer transfer = workload.transfer(plan.sequence(), i);
                long index = i;
                run.sending(index, intended);
                sent.incrementAndGet();
                requests.submit(() -> {
                    try (LoadTarget.Session session = target.openSession()) {
                        LoadTarget.Outcome outcome = session.submit(List.of(transfer));
                        long end = outcome.finalAtNanos() != 0 ? outcome.finalAtNanos() : System.nanoTime();
                        if (run.finished(index, intended, end, outcome)) recorder.record(intended, end, outcome);
                    } catch (InterruptedException e) {
                        // cancelled at the deadline: counted as timed out
                    } catch (Exception e) {
                        if (run.finished(index, intended, System.nanoTime(), LoadTarget.Outcome.failed(1))) {
                            recorder.recordError(System.nanoTime(), 1, e);
                        }
                    } finally {
                        slots.release();
                    }
                    return null;
                });
            }
            parkUntil(measureEnd);
        } finally {
            BenchResults.Resources used = window != null ? window.stop() : resources.start().stop();
            requests.shutdown();
            if (!requests.awaitTermination(Math.max(0, hardEnd - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                run.close();
                requests.shutdownNow();
                requests.awaitTermination(10, TimeUnit.SECONDS);
            }
            run.close();
            run.resources = used;
        }
        long unfinished = run.unfinishedInWindow();
        if (notSent > 0) {
            recorder.recordError(System.nanoTime(), 0, new IllegalStateException(notSent + " requests due in the window "
                    + "were never sent: all " + plan.maxInFlight() + " slots stayed taken until the hard end"));
        }
        if (unfinished > 0) {
            recorder.recordError(System.nanoTime(), 0, new IllegalStateException(unfinished + " requests had no outcome "
                    + DRAIN_TIMEOUT_S + " s after the window"));
        }
        long timedOut = unfinished + notSent;
        long decided = run.completed.get() + run.rejected.get();
        return new BenchResults.SystemResult(target.name(), target.label(), target.description(Scenario.OPEN_LOOP),
                plan.measureSeconds(), run.sentInWindow.get(), run.completed.get(), run.rejected.get(),
                run.failed.get() + timedOut, (double) plan.ratePerSecond(), timedOut, sent.get(), null,
                ClosedLoop.round(decided / (double) plan.measureSeconds(), 1), ClosedLoop.latency(run.latency),
                null, run.resources, loadBefore, recorder.errorSamples(), recorder.timeline(), null);
    }

    /** The requests of one run: those due in the measured window are counted once each, by their due time. */
    private static final class Run {
        private final long measureStart;
        private final long measureEnd;
        private final Map<Long, Long> pending = new ConcurrentHashMap<>();
        private final Histogram latency = new Histogram(3);
        private final AtomicLong sentInWindow = new AtomicLong();
        private final AtomicLong completed = new AtomicLong();
        private final AtomicLong rejected = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private boolean closed;
        private BenchResults.Resources resources;

        Run(long measureStart, long measureEnd) {
            this.measureStart = measureStart;
            this.measureEnd = measureEnd;
        }

        private boolean inWindow(long intended) {
            return intended >= measureStart && intended < measureEnd;
        }

        void sending(long index, long intended) {
            if (!inWindow(intended)) return;
            sentInWindow.incrementAndGet();
            pending.put(index, intended);
        }

        /** False once the run is closed: a late outcome then stays a time-out. */
        synchronized boolean finished(long index, long intended, long endNanos, LoadTarget.Outcome outcome) {
            if (closed) return false;
            if (!inWindow(intended)) return true;
            pending.remove(index);
            completed.addAndGet(outcome.completed());
            rejected.addAndGet(outcome.rejected());
            failed.addAndGet(outcome.failed());
            if (outcome.decided() > 0) {
                latency.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(endNanos - intended)));
            }
            return true;
        }

        synchronized void close() {
            closed = true;
        }

        synchronized long unfinishedInWindow() {
            return pending.size();
        }
    }

    private static void parkUntil(long nanos) throws InterruptedException {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) throw new InterruptedException();
        }
    }
}
