package dev.ledger.domain;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Ids#isValid} is a loop over chars; these check it answers exactly what the contract's pattern answers. */
class IdsTest {

    @Property(tries = 5_000)
    void any_string_is_valid_exactly_when_the_pattern_matches_it(@ForAll("anyText") String id) {
        assertThat(Ids.isValid(id)).as(escaped(id)).isEqualTo(Ids.ID.matcher(id).matches());
    }

    @Property(tries = 5_000)
    void near_misses_of_the_shape_are_judged_as_the_pattern_judges_them(@ForAll("nearlyIds") String id) {
        assertThat(Ids.isValid(id)).as(escaped(id)).isEqualTo(Ids.ID.matcher(id).matches());
    }

    @Example
    void the_edges_of_length_and_alphabet() {
        assertThat(Ids.isValid(null)).isFalse();
        assertThat(Ids.isValid("")).isFalse();
        assertThat(Ids.isValid("a")).isTrue();
        assertThat(Ids.isValid("a".repeat(64))).isTrue();
        assertThat(Ids.isValid("a".repeat(65))).isFalse();
        assertThat(Ids.isValid("Z9._:-")).isTrue();
        for (String refused : new String[]{"-a", ".a", "_a", ":a", "a b", "a/b", "a\n", "\na", "a\u0000",
                "\u0661", "\uff21", "\u212a", "\u00e9", "a\ud800", "a\ud83d\ude00"}) {
            assertThat(Ids.isValid(refused)).as(escaped(refused)).isFalse();
            assertThat(Ids.ID.matcher(refused).matches()).as(escaped(refused)).isFalse();
        }
    }

    /** Every char of UTF-16, unpaired surrogates included, at lengths around the limit too. */
    @Provide
    Arbitrary<String> anyText() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMinLength(0).ofMaxLength(70),
                Arbitraries.strings().all().ofLength(64),
                Arbitraries.strings().all().ofLength(65));
    }

    /** Mostly the id alphabet with a few other chars mixed in: strings the pattern nearly accepts. */
    @Provide
    Arbitrary<String> nearlyIds() {
        Arbitrary<Character> idChars = Arbitraries.chars().alpha().numeric().with('.', '_', ':', '-');
        Arbitrary<Character> others = Arbitraries.chars().with('\n', '\r', ' ', '/', '\u0000', '\u007f', '\u00e9', '\u0661',
                '\uff21', '\u212a', '\ud800', '\udfff', '@', '[', '`', '{');
        Arbitrary<Character> mixed = Arbitraries.frequencyOf(
                Tuple.of(30, idChars), Tuple.of(1, others));
        return Arbitraries.oneOf(
                mixed.list().ofMinSize(0).ofMaxSize(66).map(IdsTest::join),
                mixed.list().ofSize(64).map(IdsTest::join),
                mixed.list().ofSize(65).map(IdsTest::join));
    }

    private static String join(List<Character> chars) {
        var text = new StringBuilder(chars.size());
        chars.forEach(text::append);
        return text.toString();
    }

    private static String escaped(String text) {
        var out = new StringBuilder();
        text.chars().forEach(c -> out.append(c >= 0x20 && c < 0x7f ? Character.toString(c) : String.format("\\u%04x", c)));
        return out.toString();
    }
}
