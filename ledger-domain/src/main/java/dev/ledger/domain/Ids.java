package dev.ledger.domain;

import java.util.regex.Pattern;

/**
 * The shape every account and transfer id has (API contract): safe in URLs, keys and logs. ASCII
 * only, so every id is also acceptable {@link Text}.
 */
public final class Ids {
    private static final int MAX_LENGTH = 64;
    /** The shape as a pattern, for the contract's texts; {@link #isValid} answers the same without it. */
    public static final Pattern ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:-]{0," + (MAX_LENGTH - 1) + "}$");

    private Ids() {
    }

    /**
     * Whether {@code id} has the shape of {@link #ID}. A loop over the chars, not the pattern: the command
     * processor asks several times per command, and a regex matcher costs an allocation and a walk of its
     * node graph each time. IdsTest checks that both give the same answer for any string.
     */
    public static boolean isValid(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH || !isAlphanumeric(id.charAt(0))) return false;
        for (int i = 1; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!isAlphanumeric(c) && c != '.' && c != '_' && c != ':' && c != '-') return false;
        }
        return true;
    }

    /** ASCII letters and digits only: {@link Character#isLetterOrDigit} would take any script's. */
    private static boolean isAlphanumeric(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }
}
