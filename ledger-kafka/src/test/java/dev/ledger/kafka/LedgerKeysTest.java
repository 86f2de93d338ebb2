package dev.ledger.kafka;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which key signs and which verifies, as an operator's LEDGER_KEY_HEX and LEDGER_KEYS_FILE set them. */
class LedgerKeysTest {
    private static final String A = "00112233445566778899aabbccddeeff";
    private static final String B = "ffeeddccbbaa99887766554433221100ffeeddcc";

    @TempDir
    Path dir;

    @Test
    void given_only_the_legacy_key_then_it_is_the_default_id_and_signs() {
        LedgerKeys keys = LedgerKeys.fromEnvironment(Map.of("LEDGER_KEY_HEX", A), null);

        assertThat(keys.signingId()).isEqualTo(LedgerKeys.DEFAULT_ID);
        assertThat(keys.signingKey()).isEqualTo(HexFormat.of().parseHex(A));
    }

    @Test
    void given_a_keys_file_and_the_data_directory_key_then_both_verify_and_the_named_one_signs() throws IOException {
        Path file = Files.writeString(dir.resolve("keys"), "signing=2026-12\nkey.2026-12=" + B + "\n");

        LedgerKeys keys = LedgerKeys.fromEnvironment(Map.of("LEDGER_KEYS_FILE", file.toString()), HexFormat.of().parseHex(A));

        assertThat(keys.ids()).containsExactlyInAnyOrder(LedgerKeys.DEFAULT_ID, "2026-12");
        assertThat(keys.signingId()).isEqualTo("2026-12");
        assertThat(keys.signingKey()).isEqualTo(HexFormat.of().parseHex(B));
        assertThat(keys.key(LedgerKeys.DEFAULT_ID)).hasValueSatisfying(k -> assertThat(k).isEqualTo(HexFormat.of().parseHex(A)));
    }

    @Test
    void a_record_names_the_signing_key_and_one_without_the_header_names_the_default() {
        var ring = new LedgerKeys(Map.of(LedgerKeys.DEFAULT_ID, HexFormat.of().parseHex(A), "k2", HexFormat.of().parseHex(B)), "k2");

        assertThat(LedgerKeys.idOf(ring.sign(new RecordHeaders()))).isEqualTo("k2");
        assertThat(LedgerKeys.idOf(new RecordHeaders())).isEqualTo(LedgerKeys.DEFAULT_ID);
    }

    @Test
    void refused_rings_name_the_problem_and_never_a_key() throws IOException {
        Path noSigning = Files.writeString(dir.resolve("no-signing"), "key.k2=" + B + "\n");
        Path unknownSigning = Files.writeString(dir.resolve("unknown-signing"), "signing=k3\nkey.k2=" + B + "\n");
        Path shortKey = Files.writeString(dir.resolve("short"), "signing=k2\nkey.k2=0011\n");
        Path conflict = Files.writeString(dir.resolve("conflict"), "signing=default\nkey.default=" + B + "\n");

        assertThatThrownBy(() -> LedgerKeys.fromEnvironment(Map.of("LEDGER_KEYS_FILE", noSigning.toString()), null))
                .hasMessageContaining("signing=");
        assertThatThrownBy(() -> LedgerKeys.fromEnvironment(Map.of("LEDGER_KEYS_FILE", unknownSigning.toString()), null))
                .hasMessageContaining("k3");
        assertThatThrownBy(() -> LedgerKeys.fromEnvironment(Map.of("LEDGER_KEYS_FILE", shortKey.toString()), null))
                .hasMessageContaining("at least 16 bytes");
        assertThatThrownBy(() -> LedgerKeys.fromEnvironment(Map.of("LEDGER_KEYS_FILE", conflict.toString(),
                "LEDGER_KEY_HEX", A), null)).hasMessageContaining("default").hasMessageNotContaining(B);
        assertThatThrownBy(() -> LedgerKeys.fromEnvironment(Map.of(), null)).hasMessageContaining("LEDGER_KEY_HEX");
    }

    @Test
    void the_ring_as_logged_shows_ids_only() {
        var ring = new LedgerKeys(Map.of("k2", B.getBytes(StandardCharsets.US_ASCII)), "k2");

        assertThat(ring.toString()).contains("k2").doesNotContain(B);
    }
}
