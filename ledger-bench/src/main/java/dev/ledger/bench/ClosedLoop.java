package dev.ledger.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;

/**
 * The load: {@code clients} threads, each submitting a request (of {@code perRequest} transfers
 * taken in order from the workload's sequence) and the next as soon as the previous one is final,
 * from the start of the warm-up to the end of the measured window. A closed loop at a fixed
 * concurrency, the way a payment platform's workers behave; the same for every system.
 */
public final class ClosedLoop {
    /** How long the clients may take to finish the requests still in flight at the end. */
    private static final long DRAIN_TIMEOUT_S = 180;
    /**
     * How far the measured window may be extended past the planned end. A window with fewer ended
     * requests than clients (a slow system, requests of 1000 transfers) says little: it is extended,
     * second by second, until every client could have finished one request, for every system alike.
     */
    private static final long MAX_EXTENSION_S = 300;

    private ClosedLoop() {
    }

    public record Plan(Scenario scenario, String sequence, int clients, int perRequest, int warmupSeconds,
                       int measureSeconds) {
    }

    public static BenchResults.SystemResult run(LoadTarget target, Workload workload, Plan plan,
                                                ResourceSampler resources) throws InterruptedException {
        Double loadBefore = BenchMachine.loadAverage();
        long start = System.nanoTime();
        var recorder = new LoadRecorder(start, plan.warmupSeconds() * 1000L, plan.measureSeconds() * 1000L);
        target.loadStarting(plan.scenario(), recorder);
        var next = new AtomicLong();
        var done = new CountDownLatch(plan.clients());
        var threads = new ArrayList<Thread>();
        for (int c = 0; c < plan.clients(); c++) {
            threads.add(Thread.ofPlatform().name("bench-client-" + target.name() + "-" + c).daemon().start(() -> {
                try (LoadTarget.Session session = target.openSession()) {
                    loop(session, workload, plan, recorder, next);
                } catch (Exception e) {
                    recorder.recordError(System.nanoTime(), 0, e);
                } finally {
                    done.countDown();
                }
            }));
        }
        // the resource window is the measured window
        sleepUntil(recorder.measureStartNanos());
        ResourceSampler.Window window = resources.start();
        sleepUntil(recorder.measureEndNanos());
        long extendUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_EXTENSION_S);
        while (recorder.requestsSinceMeasureStart() < plan.clients() && System.nanoTime() < extendUntil) {
            recorder.extendTo(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
            sleepUntil(recorder.measureEndNanos());
        }
        BenchResults.Resources used = window.stop();
        if (!done.await(DRAIN_TIMEOUT_S, TimeUnit.SECONDS)) {
            threads.forEach(Thread::interrupt);
            throw new IllegalStateException(target.label() + ": requests still in flight " + DRAIN_TIMEOUT_S
                    + " s after the end of the measurement");
        }
        BenchResults.ProjectionLag lag = target.loadFinished();
        LoadRecorder.Totals totals = recorder.totals();
        long decided = totals.completed() + totals.rejected();
        double seconds = recorder.measuredSeconds();
        return new BenchResults.SystemResult(target.name(), target.label(), target.description(plan.scenario()),
                round(seconds, 1), totals.requests(), totals.completed(), totals.rejected(), totals.failed(),
                null, 0, next.get(), null, round(decided / seconds, 1), latency(totals.latency()), lag, used, loadBefore,
                recorder.errorSamples(), recorder.timeline(), null);
    }

    private static void loop(LoadTarget.Session session, Workload workload, Plan plan, LoadRecorder recorder,
                             AtomicLong next) throws InterruptedException {
        while (System.nanoTime() < recorder.measureEndNanos() && !Thread.currentThread().isInterrupted()) {
            long first = next.getAndAdd(plan.perRequest());
            List<Workload.Transfer> transfers = workload.transfers(plan.sequence(), first, plan.perRequest());
            long submitted = System.nanoTime();
            try {
                LoadTarget.Outcome outcome = session.submit(transfers);
                long end = outcome.finalAtNanos() != 0 ? outcome.finalAtNanos() : System.nanoTime();
                recorder.record(submitted, end, outcome);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                recorder.recordError(System.nanoTime(), transfers.size(), e);
                Thread.sleep(20); // a persistent failure must not turn into a busy loop
            }
        }
    }

    static BenchResults.Latency latency(Histogram h) {
        if (h.getTotalCount() == 0) return new BenchResults.Latency(0, 0, 0, 0, 0, 0, 0);
        return new BenchResults.Latency(ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()),
                round(h.getMean() / 1000.0, 3), h.getTotalCount());
    }

    private static double ms(long micros) {
        return round(micros / 1000.0, 3);
    }

    static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }
}
