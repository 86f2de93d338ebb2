package dev.ledger.kafka;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** The text the binary formats' properties try in every string field. */
final class AnyText {
    private AnyText() {
    }

    /** Any text with a UTF-8 form: control characters, the empty string, and letters of every plane. */
    static Arbitrary<String> any() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('\u0000', '\uD7FF').withCharRange('\uE000', '\uFFFF').ofMaxLength(12),
                Arbitraries.strings().ascii().ofMaxLength(40),
                Arbitraries.of("\uD83D\uDC69\u200D\uD83D\uDCBB", "e\u0301", ""));
    }
}
