package dev.ledger.projection;

/**
 * Text from a hostile record (an id, an error message quoting it) made safe to log, to tag a metric
 * with, and to store in a PostgreSQL {@code text} column, which refuses NUL: control characters and
 * unpaired surrogates become U+FFFD, and the length is capped.
 */
final class Printable {
    private Printable() {
    }

    static String of(String text, int maxChars) {
        if (text == null) return null;
        StringBuilder out = new StringBuilder(Math.min(text.length(), maxChars));
        for (int i = 0; i < text.length() && out.length() < maxChars; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else if (Character.isISOControl(c) || Character.isSurrogate(c)) {
                out.append('\uFFFD');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
