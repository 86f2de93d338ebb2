package dev.ledger.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ApiKeySecretTest {

    @Test
    void a_generated_key_travels_in_a_header() {
        assertThat(ApiKeySecret.isWellFormed(ApiKeySecret.generate())).isTrue();
    }

    @Test
    void a_secret_is_printable_ascii_without_spaces_and_at_most_its_maximum_length() {
        assertThat(ApiKeySecret.isWellFormed("!~" + "a".repeat(ApiKeySecret.MAX_LENGTH - 2))).isTrue();
        assertThat(ApiKeySecret.isWellFormed("a".repeat(ApiKeySecret.MAX_LENGTH + 1))).isFalse();
        assertThat(ApiKeySecret.isWellFormed(null)).isFalse();
        assertThat(ApiKeySecret.isWellFormed("")).isFalse();
        for (String bad : new String[]{"lk_a b", "lk_\tb", "lk_\u0000", "lk_\u007f", "lk_é", "lk_\uD83D\uDCB8"}) {
            assertThat(ApiKeySecret.isWellFormed(bad)).as(bad).isFalse();
        }
    }
}
