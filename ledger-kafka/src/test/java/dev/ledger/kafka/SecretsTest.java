package dev.ledger.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one {@code NAME_FILE} / {@code NAME} rule, as an operator's environment meets it. */
class SecretsTest {
    private static final Map<String, String> CLUSTER = Map.of(
            "LEDGER_KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9093", "LEDGER_DB_URL", "jdbc:postgresql://db/ledger",
            "LEDGER_KEY_HEX", "00112233445566778899aabbccddeeff");

    @TempDir
    Path dir;

    @Test
    void given_a_password_file_then_the_database_password_is_its_content_without_the_trailing_line_break() throws IOException {
        Path file = Files.writeString(dir.resolve("db-password"), "pg s3cret\n");

        LedgerConfig config = LedgerConfig.fromEnvironment(with("LEDGER_DB_PASSWORD_FILE", file.toString()), dir, null);

        assertThat(config.dbPassword()).isEqualTo("pg s3cret");
    }

    @Test
    void given_only_the_variable_then_the_password_is_the_variable() {
        LedgerConfig config = LedgerConfig.fromEnvironment(with("LEDGER_DB_PASSWORD", "from-env"), dir, null);

        assertThat(config.dbPassword()).isEqualTo("from-env");
    }

    @Test
    void given_both_then_the_file_wins() throws IOException {
        Path file = Files.writeString(dir.resolve("db-password"), "from-file");

        assertThat(Secrets.fromEnvironment(Map.of("X", "from-env", "X_FILE", file.toString()), "X")).contains("from-file");
    }

    @Test
    void given_neither_then_there_is_no_secret() {
        assertThat(Secrets.fromEnvironment(Map.of("Y", "other"), "X")).isEmpty();
    }

    @Test
    void given_a_missing_file_then_the_error_names_the_variable_and_the_file() {
        Path missing = dir.resolve("absent");

        assertThatThrownBy(() -> LedgerConfig.fromEnvironment(with("LEDGER_DB_PASSWORD_FILE", missing.toString()), dir, null))
                .hasMessageContaining("LEDGER_DB_PASSWORD_FILE").hasMessageContaining(missing.toString());
    }

    @Test
    void the_config_as_logged_shows_no_password_and_no_key() throws IOException {
        Path file = Files.writeString(dir.resolve("db-password"), "pg-s3cret");

        LedgerConfig config = LedgerConfig.fromEnvironment(with("LEDGER_DB_PASSWORD_FILE", file.toString()), dir, null);

        assertThat(config.toString()).doesNotContain("pg-s3cret").doesNotContain("00112233445566778899aabbccddeeff")
                .contains("jdbc:postgresql://db/ledger");
    }

    private static Map<String, String> with(String name, String value) {
        var env = new java.util.HashMap<>(CLUSTER);
        env.put(name, value);
        return env;
    }
}
