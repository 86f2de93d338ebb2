package dev.ledger.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * CPU and memory of the processes that make up the systems, over a measured window: this JVM
 * (load generator, and the ledger itself when it runs in-process), the Kafka broker and the
 * PostgreSQL servers (each a postmaster with its backends, summed).
 *
 * <p>This JVM's CPU comes from {@code com.sun.management.OperatingSystemMXBean}; other processes'
 * from {@code /proc/<pid>/stat} (utime + stime, plus cutime + cstime of a postmaster, which hold its
 * exited backends), so outside Linux only this JVM is measured. Memory is sampled every second: RSS
 * from {@code /proc/<pid>/status}, for PostgreSQL the PSS of the postmaster and its backends (their
 * shared buffers would otherwise be counted once per backend). What the machine spent on anything
 * else (other users' builds, say) is reported too, from {@code /proc/stat}: a run that shared the
 * CPUs says so.
 */
public final class ResourceSampler {
    /** USER_HZ: the unit of /proc/<pid>/stat times on every Linux architecture that matters here. */
    private static final double CLOCK_TICKS_PER_SECOND = 100.0;
    private static final long SAMPLE_INTERVAL_MS = 1_000;

    /** A process to watch. {@code tree}: sum the process and its children (a postmaster). */
    public record Watched(String name, long pid, boolean tree) {
    }

    private final Map<String, Watched> processes = new LinkedHashMap<>();
    private final long selfPid = ProcessHandle.current().pid();

    /** @param name the name in the report; this JVM is always watched, as "jvm" */
    public ResourceSampler watch(String name, long pid, boolean tree) {
        if (pid > 0 && pid != selfPid) processes.put(name, new Watched(name, pid, tree));
        return this;
    }

    /** Starts measuring; the window ends with {@link Window#stop()}. */
    public Window start() {
        return new Window();
    }

    public final class Window {
        private final long startNanos = System.nanoTime();
        private final long jvmCpuStart = jvmCpuNanos();
        private final double machineBusyStart = machineBusySeconds();
        private final Map<String, Double> cpuStart = new LinkedHashMap<>();
        private final Map<String, Double> maxRss = new LinkedHashMap<>();
        private double maxHeapMb;
        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("bench-resource-sampler").daemon().factory());

        private Window() {
            processes.values().forEach(p -> cpuStart.put(p.name(), cpuSeconds(p)));
            sampler.scheduleAtFixedRate(this::sample, 0, SAMPLE_INTERVAL_MS, TimeUnit.MILLISECONDS);
        }

        private synchronized void sample() {
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            maxHeapMb = Math.max(maxHeapMb, memory.getHeapMemoryUsage().getUsed() / 1048576.0);
            maxRss.merge("jvm", rssKb(selfPid) / 1024.0, Math::max);
            for (Watched p : processes.values()) {
                double kb = p.tree() ? treePssKb(p.pid()) : rssKb(p.pid());
                maxRss.merge(p.name(), kb / 1024.0, Math::max);
            }
        }

        public BenchResults.Resources stop() {
            sampler.shutdownNow();
            try {
                sampler.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sample();
            double wallSeconds = (System.nanoTime() - startNanos) / 1e9;
            var cpu = new LinkedHashMap<String, Double>();
            cpu.put("jvm", round((jvmCpuNanos() - jvmCpuStart) / 1e9 / wallSeconds));
            for (Watched p : processes.values()) {
                double start = cpuStart.getOrDefault(p.name(), 0.0);
                cpu.put(p.name(), round(Math.max(0, cpuSeconds(p) - start) / wallSeconds));
            }
            double busy = machineBusySeconds() - machineBusyStart;
            double watched = cpu.values().stream().mapToDouble(Double::doubleValue).sum();
            double others = machineBusyStart <= 0 ? 0 : Math.max(0, busy / wallSeconds - watched);
            var rss = new LinkedHashMap<String, Double>();
            synchronized (this) {
                maxRss.forEach((name, mb) -> rss.put(name, (double) Math.round(mb)));
                return new BenchResults.Resources(cpu, rss, Math.round(maxHeapMb), round(others));
            }
        }
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    /** CPU seconds the whole machine spent busy (all but idle and iowait) since boot, from /proc/stat; 0 elsewhere. */
    private static double machineBusySeconds() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long busy = 0;
            // cpu user nice system idle iowait irq softirq steal: guest time is already in user
            for (int i = 1; i <= 8 && i < f.length; i++) {
                if (i != 4 && i != 5) busy += Long.parseLong(f[i]);
            }
            return busy / CLOCK_TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long jvmCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /** CPU seconds used so far by the process (and, for a tree, its live and reaped children). */
    private static double cpuSeconds(Watched p) {
        long[] own = stat(p.pid());
        if (own == null) return 0;
        long ticks = own[0] + own[1];
        if (p.tree()) {
            ticks += own[2] + own[3];
            for (long child : children(p.pid())) {
                long[] c = stat(child);
                if (c != null) ticks += c[0] + c[1];
            }
        }
        return ticks / CLOCK_TICKS_PER_SECOND;
    }

    /** utime, stime, cutime, cstime and ppid from /proc/<pid>/stat, or null. */
    private static long[] stat(long pid) {
        try {
            String line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name (field 2) may hold spaces and parentheses: split after its last ')'
            String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state): field n is f[n - 3]
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]),
                    Long.parseLong(f[14]), Long.parseLong(f[1])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static java.util.List<Long> children(long parent) {
        var found = new java.util.ArrayList<Long>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                long[] s = stat(pid);
                if (s != null && s[4] == parent) found.add(pid);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: nothing to add
        }
        return found;
    }

    private static double rssKb(long pid) {
        return statusField(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:");
    }

    private static double treePssKb(long pid) {
        double kb = pss(pid);
        for (long child : children(pid)) kb += pss(child);
        return kb;
    }

    private static double pss(long pid) {
        double pss = statusField(Path.of("/proc", Long.toString(pid), "smaps_rollup"), "Pss:");
        return pss > 0 ? pss : rssKb(pid);
    }

    private static double statusField(Path file, String field) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(field)) {
                    return Double.parseDouble(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not Linux
        }
        return 0;
    }
}
