package dev.ledger.launcher;

import dev.ledger.audit.AuditProgress;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress display on stderr for long jobs (audit replay, projection rebuild). On a terminal it is
 * one line rewritten in place with {@code \r} a few times a second; otherwise (a log, a pipe, CI) a
 * plain line every ten seconds, so that logs stay readable.
 */
final class ProgressLine implements AuditProgress {
    private static final long TERMINAL_EVERY_NS = 250_000_000L;
    private static final long LOG_EVERY_NS = 10_000_000_000L;

    private final PrintWriter err;
    private final boolean terminal;
    private final String label;
    private long lastPrintNs = System.nanoTime();
    private int lastLength;
    private boolean printed;

    ProgressLine(PrintWriter err, boolean terminal, String label) {
        this.err = err;
        this.terminal = terminal;
        this.label = label;
    }

    /** A terminal when the JVM has a console: stderr is then the terminal too in practice. */
    static ProgressLine onStderr(PrintWriter err, String label) {
        return new ProgressLine(err, System.console() != null, label);
    }

    @Override
    public synchronized void update(long recordsRead, long recordsTotal, long elapsedNanos) {
        double seconds = Math.max(elapsedNanos / 1e9, 1e-3);
        show(String.format(Locale.ROOT, "%s: %,d of %,d records (%d%%), %,.0f events/s, %.0f s", label, recordsRead,
                recordsTotal, recordsTotal == 0 ? 100 : Math.min(100, recordsRead * 100 / recordsTotal),
                recordsRead / seconds, seconds));
    }

    /** Shows a free-form status, at the same pace as the counts. */
    synchronized void show(String text) {
        long now = System.nanoTime();
        if (now - lastPrintNs < (terminal ? TERMINAL_EVERY_NS : LOG_EVERY_NS)) return;
        lastPrintNs = now;
        if (terminal) {
            err.print("\r" + text + " ".repeat(Math.max(0, lastLength - text.length())));
            lastLength = text.length();
        } else {
            err.println(text);
        }
        err.flush();
        printed = true;
    }

    /** Ends the line in place, so that what follows starts on a fresh one. */
    synchronized void finish() {
        if (terminal && printed) {
            err.print("\r" + " ".repeat(lastLength) + "\r");
            err.flush();
        }
        printed = false;
    }
}
