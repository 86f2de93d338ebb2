package dev.ledger.domain;

/**
 * The one rule for every string a client or producer gives the ledger (ids, references, metadata
 * keys and values, currencies, idempotency keys): it must be storable, unchanged, by every stage
 * that later holds it (the JSON of the event log, PostgreSQL's UTF-8 text, logs, HTTP answers).
 *
 * <p>A string is acceptable text when it is a sequence of Unicode scalar values without
 * <ul>
 *   <li>control characters (category Cc: U+0000..U+001F, U+007F..U+009F): PostgreSQL refuses NUL,
 *       and the others let a value rewrite logs and terminals;</li>
 *   <li>unpaired surrogates (U+D800..U+DFFF not forming a pair): they have no UTF-8 encoding, so a
 *       writer would replace or refuse them;</li>
 *   <li>non-characters (U+FDD0..U+FDEF, and U+xxFFFE, U+xxFFFF of every plane): Unicode reserves
 *       them for a program's own use, never for interchange.</li>
 * </ul>
 * Everything else is allowed, including format characters (Cf: the zero-width joiner of emoji
 * sequences, bidirectional marks of Arabic or Hebrew text), combining marks, private-use and not
 * yet assigned code points (refusing those would make the rule change with the JDK's Unicode
 * version).
 *
 * <p>Text is kept exactly as accepted, never normalised (NFC or otherwise): every read returns the
 * same code points, and two spellings of one visible string ("é" precomposed or as e + U+0301) are
 * two different values. Lengths count code points, as JSON Schema's {@code maxLength} does: an
 * emoji outside the BMP is one, a base letter with a combining mark is two.
 */
public final class Text {
    private Text() {
    }

    /** @return why {@code value} is not acceptable text, or null when it is */
    public static String problem(String value) {
        int index = 0; // in code points, from 0: what a client counts
        for (int i = 0; i < value.length(); index++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                int codePoint = Character.toCodePoint(c, value.charAt(i + 1));
                if (isNonCharacter(codePoint)) return refused(codePoint, "a non-character", index);
                i += 2;
                continue;
            }
            if (Character.isSurrogate(c)) return refused(c, "an unpaired surrogate", index);
            if (Character.getType(c) == Character.CONTROL) return refused(c, "a control character", index);
            if (isNonCharacter(c)) return refused(c, "a non-character", index);
            i++;
        }
        return null;
    }

    /**
     * @return why {@code value} is not acceptable text of {@code minCodePoints} to
     * {@code maxCodePoints} code points, or null when it is
     */
    public static String problem(String value, int minCodePoints, int maxCodePoints) {
        String characters = problem(value);
        if (characters != null) return characters;
        int length = codePoints(value);
        if (length < minCodePoints || length > maxCodePoints) {
            return minCodePoints == 0
                    ? "must be at most " + maxCodePoints + " characters (Unicode code points)"
                    : "must be " + minCodePoints + " to " + maxCodePoints + " characters (Unicode code points)";
        }
        return null;
    }

    public static boolean isAcceptable(String value) {
        return value != null && problem(value) == null;
    }

    /** The length as this rule counts it: code points (a surrogate pair is one). */
    public static int codePoints(String value) {
        return value.codePointCount(0, value.length());
    }

    private static boolean isNonCharacter(int codePoint) {
        return (codePoint >= 0xFDD0 && codePoint <= 0xFDEF) || (codePoint & 0xFFFE) == 0xFFFE;
    }

    // the reason names the code point, never repeats the text: an unpaired surrogate cannot be written back
    private static String refused(int codePoint, String what, int index) {
        return "contains %s (U+%04X) at character %d (counting code points from 0)".formatted(what, codePoint, index);
    }
}
