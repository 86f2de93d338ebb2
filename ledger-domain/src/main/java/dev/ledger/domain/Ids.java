package dev.ledger.domain;

import java.util.regex.Pattern;

/**
 * The shape every account and transfer id has (API contract): safe in URLs, keys and logs. ASCII
 * only, so every id is also acceptable {@link Text}.
 */
public final class Ids {
    public static final Pattern ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$");

    private Ids() {
    }

    public static boolean isValid(String id) {
        return id != null && ID.matcher(id).matches();
    }
}
