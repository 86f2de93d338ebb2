package dev.ledger.api;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How long a write may hold the connection for its outcome, from RFC 7240 {@code Prefer}:
 * {@code wait=<seconds>} (capped) or {@code respond-async} (do not wait). A preference is a hint,
 * so one we cannot read falls back to the default instead of failing the request.
 */
final class WaitPreference {
    static final String HEADER = "Prefer";
    static final long DEFAULT_WAIT_MS = 5_000;
    static final long MAX_WAIT_MS = 30_000;
    /** Compiled once: {@code String.matches} compiled it on every request (5% of a request thread's samples). */
    private static final Pattern SECONDS = Pattern.compile("[0-9]{1,6}");

    private WaitPreference() {
    }

    static long waitMs(String prefer, boolean allowRespondAsync) {
        if (prefer == null) return DEFAULT_WAIT_MS;
        long waitMs = DEFAULT_WAIT_MS;
        for (String preference : prefer.split(",")) {
            String token = preference.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (token.equals("respond-async") && allowRespondAsync) return 0;
            if (token.startsWith("wait=")) {
                String seconds = token.substring("wait=".length()).replace("\"", "").strip();
                if (SECONDS.matcher(seconds).matches()) waitMs = Math.min(Long.parseLong(seconds) * 1_000, MAX_WAIT_MS);
            }
        }
        // an account's open or close has no 202 form: it is answered or it is a 503
        return waitMs == 0 && !allowRespondAsync ? DEFAULT_WAIT_MS : waitMs;
    }
}
