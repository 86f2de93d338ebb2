package dev.ledger.domain;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Example;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;

import static org.assertj.core.api.Assertions.assertThat;

class TextTest {

    @Example
    void nul_and_the_other_control_characters_are_refused_with_their_code_point_and_position() {
        assertThat(Text.problem("bad\u0000ref"))
                .isEqualTo("contains a control character (U+0000) at character 3 (counting code points from 0)");
        assertThat(Text.problem("tab\there")).contains("U+0009");
        assertThat(Text.problem("del\u007f")).contains("U+007F");
        assertThat(Text.problem("c1\u0085")).contains("U+0085");
        assertThat(Text.problem("c1\u009f")).contains("U+009F");
        assertThat(Text.problem("ok\u00a0")).isNull(); // no-break space: the first character after C1
    }

    @Example
    void an_unpaired_surrogate_is_refused_and_a_pair_is_one_character() {
        assertThat(Text.problem("x\ud800")).contains("an unpaired surrogate (U+D800) at character 1");
        assertThat(Text.problem("\udc00x")).contains("unpaired surrogate (U+DC00) at character 0");
        assertThat(Text.problem("\ud800\ud800\udc00")).contains("U+D800) at character 0");
        // the position counts code points: the emoji before the NUL is one character
        assertThat(Text.problem("\ud83d\ude00\u0000")).contains("at character 1");
        assertThat(Text.problem("\ud83d\ude00")).isNull();
    }

    @Example
    void non_characters_of_every_plane_are_refused() {
        for (int plane = 0; plane <= 0x10; plane++) {
            assertThat(Text.problem(Character.toString(plane * 0x10000 + 0xFFFE))).contains("a non-character");
            assertThat(Text.problem(Character.toString(plane * 0x10000 + 0xFFFF))).contains("a non-character");
        }
        assertThat(Text.problem("\ufdd0")).contains("U+FDD0");
        assertThat(Text.problem("\ufdef")).contains("U+FDEF");
        assertThat(Text.problem("\ufdcf\ufdf0\ufffd")).isNull();
    }

    @Example
    void format_characters_combining_marks_and_private_use_are_kept() {
        String family = "\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67"; // ZWJ sequence
        assertThat(Text.problem(family)).isNull();
        assertThat(Text.problem("\u05e9\u05dc\u05d5\u05dd\u200f")).isNull(); // Hebrew with a right-to-left mark
        assertThat(Text.problem("e\u0301")).isNull();
        assertThat(Text.problem("\ue000")).isNull();
        assertThat(Text.problem("")).isNull();
    }

    @Example
    void lengths_count_code_points() {
        String emoji = "\ud83d\ude00";
        assertThat(Text.problem(emoji.repeat(512), 0, 512)).isNull();
        assertThat(Text.problem(emoji.repeat(513), 0, 512)).isEqualTo("must be at most 512 characters (Unicode code points)");
        assertThat(Text.problem("e\u0301", 0, 1)).isNotNull(); // two code points, one glyph
        assertThat(Text.problem("", 1, 128)).isEqualTo("must be 1 to 128 characters (Unicode code points)");
    }

    @Example
    void metadata_names_the_entry_and_never_echoes_a_refused_key() {
        var metadata = new LinkedHashMap<String, String>();
        metadata.put("ok", "fine");
        metadata.put("note", "bad\u0000value");
        metadata.put("k\ud800", "v");
        metadata.put("", "v");

        assertThat(ClientText.metadataViolations("metadata", metadata)).containsExactly(
                new ClientText.Violation("metadata.note", Text.problem("bad\u0000value")),
                new ClientText.Violation("metadata", "a key " + Text.problem("k\ud800")),
                new ClientText.Violation("metadata", "a key must be 1 to 128 characters (Unicode code points)"));
    }

    @Property(tries = 300)
    void acceptable_text_survives_utf_8_unchanged(@ForAll("anyUtf16") String value) throws CharacterCodingException {
        if (!Text.isAcceptable(value)) return;
        // a strict encoder refuses what no UTF-8 store could keep
        ByteBuffer utf8 = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT).encode(CharBuffer.wrap(value));
        assertThat(StandardCharsets.UTF_8.decode(utf8).toString()).isEqualTo(value);
        assertThat(value).doesNotContain("\u0000");
    }

    @Property(tries = 300)
    void text_is_refused_exactly_when_one_of_its_code_points_is(@ForAll("anyUtf16") String value) {
        boolean hasRefusedCodePoint = hasUnpairedSurrogate(value) || value.codePoints().anyMatch(cp ->
                Character.getType(cp) == Character.CONTROL
                        || (cp >= 0xFDD0 && cp <= 0xFDEF) || cp % 0x10000 == 0xFFFE || cp % 0x10000 == 0xFFFF);

        assertThat(Text.isAcceptable(value)).as("%s", escaped(value)).isEqualTo(!hasRefusedCodePoint);
    }

    @Property(tries = 200)
    void the_length_bound_counts_code_points(@ForAll("acceptable") String value) {
        int length = value.codePointCount(0, value.length());

        assertThat(Text.problem(value, 0, length)).isNull();
        if (length > 0) assertThat(Text.problem(value, 0, length - 1)).isNotNull();
    }

    /** Strings from every part of UTF-16: ASCII, controls, surrogates alone and paired, non-characters, marks. */
    @Provide
    Arbitrary<String> anyUtf16() {
        Arbitrary<String> unit = Arbitraries.oneOf(
                Arbitraries.chars().range('\u0000', '\u00ff').map(String::valueOf),
                Arbitraries.chars().range('\u0300', '\u036f').map(String::valueOf),
                Arbitraries.chars().range('\ud800', '\udfff').map(String::valueOf),
                Arbitraries.chars().range('\ufdc0', '\uffff').map(String::valueOf),
                Arbitraries.chars().map(String::valueOf),
                Arbitraries.integers().between(0x10000, 0x10FFFF).map(Character::toString));
        return unit.list().ofMaxSize(12).map(parts -> String.join("", parts));
    }

    @Provide
    Arbitrary<String> acceptable() {
        return anyUtf16().filter(Text::isAcceptable);
    }

    private static boolean hasUnpairedSurrogate(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static String escaped(String value) {
        var out = new StringBuilder();
        value.chars().forEach(c -> out.append(c < 0x20 || c > 0x7e ? "\\u%04x".formatted(c) : String.valueOf((char) c)));
        return out.toString();
    }
}
