package dev.ledger.launcher.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Pid files, liveness, command lines and signals of processes other than our own children. */
final class OsProcesses {
    private static final Logger LOG = LoggerFactory.getLogger(OsProcesses.class);
    private static final long KILL_WAIT_MS = 5_000;
    private static final long POLL_MS = 50;

    private OsProcesses() {
    }

    /** The pid on the first line of a pid file, if the file exists and holds one. */
    static OptionalLong readPid(Path pidFile) {
        try {
            String content = Files.readString(pidFile, StandardCharsets.US_ASCII);
            String firstLine = content.lines().findFirst().orElse("").strip();
            return firstLine.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(firstLine));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + pidFile, e);
        }
    }

    static void writePid(Path pidFile, long pid) {
        try {
            Files.writeString(pidFile, pid + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + pidFile, e);
        }
    }

    static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * The full command line of a process. /proc is read first because it is complete; the JDK's
     * {@code ProcessHandle.Info} is the fallback for systems without /proc.
     */
    static Optional<String> commandLine(long pid) {
        Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
        try {
            byte[] raw = Files.readAllBytes(cmdline);
            if (raw.length > 0) return Optional.of(new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip());
        } catch (IOException | SecurityException e) {
            // No /proc here, or the process is gone: try the JDK's view.
        }
        return ProcessHandle.of(pid).flatMap(handle -> handle.info().commandLine());
    }

    /** True when the process is alive and its command line passes the test. */
    static boolean isAliveWithCommandLine(long pid, Predicate<String> test) {
        if (!isAlive(pid)) return false;
        return commandLine(pid).filter(test).isPresent();
    }

    /**
     * True when {@code token} appears in the command line as a whole word, so that the data directory
     * {@code /x/data} does not match a process working on {@code /x/data2}.
     */
    static boolean hasToken(String commandLine, String token) {
        int from = 0;
        while (true) {
            int at = commandLine.indexOf(token, from);
            if (at < 0) return false;
            int end = at + token.length();
            boolean startsWord = at == 0 || commandLine.charAt(at - 1) == ' ' || commandLine.charAt(at - 1) == '=';
            boolean endsWord = end == commandLine.length() || commandLine.charAt(end) == ' ';
            if (startsWord && endsWord) return true;
            from = at + 1;
        }
    }

    /**
     * Asks a process to stop with {@code signal} (TERM or INT), waits up to {@code graceMs}, then
     * kills it. Returns true when the process is gone.
     */
    static boolean stop(long pid, String signal, long graceMs, String what) {
        Optional<ProcessHandle> found = ProcessHandle.of(pid);
        if (found.isEmpty() || !found.get().isAlive()) return true;
        ProcessHandle handle = found.get();
        if (!sendSignal(pid, signal)) handle.destroy();
        if (awaitExit(handle, graceMs)) return true;
        LOG.warn("{} (pid {}) did not stop within {} ms of SIG{}; killing it", what, pid, graceMs, signal);
        handle.destroyForcibly();
        return awaitExit(handle, KILL_WAIT_MS);
    }

    static boolean awaitExit(ProcessHandle handle, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (handle.isAlive()) {
            if (System.nanoTime() - deadline > 0) return false;
            sleep(POLL_MS);
        }
        return true;
    }

    /**
     * Sends a named signal with kill(1): the JDK can only send TERM and KILL, and PostgreSQL's fast
     * shutdown is SIGINT.
     */
    private static boolean sendSignal(long pid, String signal) {
        if ("TERM".equals(signal)) {
            return ProcessHandle.of(pid).map(ProcessHandle::destroy).orElse(false);
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (kill.waitFor(5, TimeUnit.SECONDS)) return kill.exitValue() == 0;
            kill.destroyForcibly();
            return false;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
