package dev.ledger.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What an operator's LEDGER_KAFKA_* variables and client properties file give every Kafka client. */
class KafkaSettingsTest {
    @TempDir
    Path dir;

    @Test
    void given_a_properties_file_and_variables_then_every_client_gets_both_and_the_variables_win() throws IOException {
        Path file = Files.writeString(dir.resolve("client.properties"), """
                security.protocol=SSL
                ssl.truststore.location=/etc/ledger/truststore.p12
                client.dns.lookup=use_all_dns_ips
                """);
        Path truststorePassword = Files.writeString(dir.resolve("truststore.password"), "s3cret\n");

        KafkaSettings settings = KafkaSettings.fromEnvironment(Map.of(
                "LEDGER_KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9093",
                "LEDGER_KAFKA_PROPERTIES", file.toString(),
                "LEDGER_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "LEDGER_KAFKA_SSL_TRUSTSTORE_PASSWORD_FILE", truststorePassword.toString()));
        Properties consumer = new KafkaClients("kafka-1:9093", settings).consumer("reader");

        assertThat(consumer).containsEntry("bootstrap.servers", "kafka-1:9093")
                .containsEntry("client.id", "reader")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("ssl.truststore.location", "/etc/ledger/truststore.p12")
                .containsEntry("ssl.truststore.password", "s3cret")
                .containsEntry("client.dns.lookup", "use_all_dns_ips")
                .doesNotContainKey("properties");
    }

    @Test
    void given_a_scram_user_and_a_password_file_then_the_jaas_line_logs_in_as_that_user() throws IOException {
        Path password = Files.writeString(dir.resolve("kafka.password"), "pa\"ss\n");

        KafkaSettings settings = KafkaSettings.fromEnvironment(Map.of(
                "LEDGER_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "LEDGER_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "LEDGER_KAFKA_SASL_USERNAME", "ledger",
                "LEDGER_KAFKA_SASL_PASSWORD_FILE", password.toString()));

        assertThat(settings.clientProperties())
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"ledger\" password=\"pa\\\"ss\";")
                .doesNotContainKeys("sasl.username", "sasl.password", "sasl.password.file");
    }

    @Test
    void given_secrets_then_the_loggable_form_hides_them() {
        KafkaSettings settings = KafkaSettings.DEV.withClientProperties(Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.jaas.config", "ScramLoginModule required username=\"u\" password=\"hunter2\";",
                "ssl.truststore.password", "hunter3",
                "ssl.keystore.key", "-----BEGIN PRIVATE KEY-----",
                "sasl.oauthbearer.client.credentials.client.secret", "hunter4"));

        assertThat(settings.masked()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", "[hidden]")
                .containsEntry("ssl.truststore.password", "[hidden]")
                .containsEntry("ssl.keystore.key", "[hidden]")
                .containsEntry("sasl.oauthbearer.client.credentials.client.secret", "[hidden]");
        assertThat(settings.toString()).doesNotContain("hunter", "PRIVATE KEY");
        assertThat(new KafkaClients("k:9092", settings).toString()).doesNotContain("hunter");
    }

    @Test
    void given_no_kafka_variables_then_clients_are_plaintext_with_one_replica() {
        KafkaSettings settings = KafkaSettings.fromEnvironment(Map.of("LEDGER_KAFKA_BOOTSTRAP_SERVERS", "k:9092"));

        assertThat(settings).isEqualTo(KafkaSettings.DEV);
        assertThat(new KafkaClients("k:9092", settings).admin("a")).containsOnlyKeys("bootstrap.servers", "client.id");
    }

    @Test
    void given_a_three_broker_cluster_then_topics_keep_three_copies_and_a_write_needs_two() {
        KafkaSettings settings = KafkaSettings.fromEnvironment(Map.of(
                "LEDGER_REPLICATION_FACTOR", "3", "LEDGER_MIN_INSYNC_REPLICAS", "2"));

        assertThat(settings.replicationFactor()).isEqualTo((short) 3);
        assertThat(settings.minInsyncReplicas()).isEqualTo(2);
    }

    @Test
    void given_inconsistent_settings_then_the_ledger_refuses_to_start_and_says_why() throws IOException {
        Path file = Files.writeString(dir.resolve("client.properties"), "bootstrap.servers=other:9092\n");

        assertThatThrownBy(() -> KafkaSettings.fromEnvironment(Map.of("LEDGER_KAFKA_PROPERTIES", file.toString())))
                .hasMessageContaining("LEDGER_KAFKA_BOOTSTRAP_SERVERS");
        assertThatThrownBy(() -> KafkaSettings.fromEnvironment(Map.of(
                "LEDGER_REPLICATION_FACTOR", "1", "LEDGER_MIN_INSYNC_REPLICAS", "2")))
                .hasMessageContaining("min.insync.replicas");
        assertThatThrownBy(() -> KafkaSettings.fromEnvironment(Map.of("LEDGER_KAFKA_SASL_USERNAME", "ledger",
                "LEDGER_KAFKA_SASL_PASSWORD", "x")))
                .hasMessageContaining("LEDGER_KAFKA_SASL_MECHANISM");
        assertThatThrownBy(() -> KafkaSettings.fromEnvironment(Map.of("LEDGER_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "LEDGER_KAFKA_SASL_USERNAME", "ledger")))
                .hasMessageContaining("LEDGER_KAFKA_SASL_PASSWORD_FILE");
        assertThatThrownBy(() -> KafkaSettings.fromEnvironment(Map.of("LEDGER_KAFKA_SASL_MECHANISM", "GSSAPI",
                "LEDGER_KAFKA_SASL_USERNAME", "ledger", "LEDGER_KAFKA_SASL_PASSWORD", "x")))
                .hasMessageContaining("LEDGER_KAFKA_SASL_JAAS_CONFIG");
        assertThatThrownBy(() -> KafkaSettings.fromEnvironment(Map.of(
                "LEDGER_KAFKA_PROPERTIES", dir.resolve("missing.properties").toString())))
                .hasMessageContaining("missing.properties");
    }
}
