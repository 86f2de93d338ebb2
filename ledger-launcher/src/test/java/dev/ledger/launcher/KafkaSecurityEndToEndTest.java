package dev.ledger.launcher;

import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.KafkaClients;
import dev.ledger.kafka.KafkaSettings;
import dev.ledger.kafka.LedgerConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The whole ledger on a broker that takes only SASL/SCRAM-SHA-512 over TLS, configured the way an operator
 * would: a client properties file for the trust store, the mechanism and user in the environment and the
 * password in a file. Every Kafka client of the ledger (API, processor, projection, dead-letter tally) must
 * log in, or the ledger would not start or not answer.
 */
class KafkaSecurityEndToEndTest {
    private static final String USER = "ledger";
    private static final String PASSWORD = SaslBroker.randomSecret();

    private static SaslBroker broker;
    private static LedgerHarness ledger;
    private static Path secrets;

    @BeforeAll
    static void start() throws IOException {
        broker = SaslBroker.start(Map.of(USER, PASSWORD));
        secrets = Files.createTempDirectory("ledger-kafka-secrets-");
        Path clientProperties = secrets.resolve("client.properties");
        var file = new Properties();
        file.setProperty("ssl.truststore.type", "PKCS12");
        file.setProperty("ssl.truststore.location", broker.trustStore().toString());
        file.setProperty("ssl.truststore.password", broker.trustStorePassword());
        try (Writer writer = Files.newBufferedWriter(clientProperties, StandardCharsets.UTF_8)) {
            file.store(writer, null);
        }
        Path passwordFile = Files.writeString(secrets.resolve("kafka.password"), PASSWORD + "\n");
        KafkaSettings kafka = KafkaSettings.fromEnvironment(Map.of(
                "LEDGER_KAFKA_PROPERTIES", clientProperties.toString(),
                "LEDGER_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "LEDGER_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "LEDGER_KAFKA_SASL_USERNAME", USER,
                "LEDGER_KAFKA_SASL_PASSWORD_FILE", passwordFile.toString()));
        LedgerConfig shared = LedgerHarness.configFor("sasl");
        LedgerConfig config = new LedgerConfig(broker.bootstrapServers(), shared.jdbcUrl(), shared.dbUser(),
                shared.dbPassword(), shared.dbReadUser(), shared.dbReadPassword(), shared.httpPort(), shared.partitions(),
                shared.keys(), shared.stateDir(), shared.topics(), shared.commitIntervalMs(), shared.applicationIdPrefix(),
                kafka);
        ledger = LedgerHarness.startOn(config);
    }

    @AfterAll
    static void stop() {
        try {
            if (ledger != null) ledger.close();
        } finally {
            if (broker != null) broker.close();
            if (secrets != null) dev.ledger.launcher.runtime.DataDirectory.deleteTree(secrets);
        }
    }

    @Test
    void accounts_open_a_transfer_completes_and_the_read_model_answers_over_sasl_ssl() {
        // when
        open("{\"accountId\":\"bank\",\"currency\":\"EUR\",\"unlimitedOverdraft\":true}");
        open("{\"accountId\":\"alice\",\"currency\":\"EUR\"}");
        var transfer = ledger.post("/v1/transfers", UUID.randomUUID().toString(), """
                {"transferId":"sasl-1","debitAccountId":"bank","creditAccountId":"alice","amount":4200,
                 "currency":"EUR","reference":"over TLS"}""");
        // then
        assertThat(transfer.status()).as(transfer.toString()).isEqualTo(201);
        assertThat(transfer.json().path("status").asText()).isEqualTo("COMPLETED");
        var alice = ledger.get("/v1/accounts/alice", "Ledger-Min-Position", transfer.header("Ledger-Position"));
        assertThat(alice.status()).as(alice.toString()).isEqualTo(200);
        assertThat(alice.json().path("balance").asLong()).isEqualTo(4200);
        assertThat(ledger.committedEvents()).extracting(EventEnvelope::aggregateId).contains("bank", "alice", "sasl-1");
    }

    @Test
    void a_client_with_a_wrong_password_is_refused_by_the_broker() {
        Map<String, String> wrong = broker.clientProperties(USER, "not-the-password");
        try (Admin admin = admin(wrong)) {
            assertThatThrownBy(() -> listTopics(admin))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(SaslAuthenticationException.class);
        }
    }

    @Test
    void a_client_without_credentials_gets_nothing_from_the_broker() {
        // a plaintext client speaks to a TLS listener: the handshake fails on every try until the call times out
        try (Admin admin = admin(Map.of())) {
            assertThatThrownBy(() -> listTopics(admin)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        }
        // while the ledger's own credentials see its topics
        try (Admin admin = admin(broker.clientProperties(USER, PASSWORD))) {
            assertThat(listTopics(admin)).contains(ledger.config().topics().events());
        } catch (ExecutionException | InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    private static void open(String body) {
        var r = ledger.post("/v1/accounts", UUID.randomUUID().toString(), body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    private static Admin admin(Map<String, String> security) {
        Properties props = new KafkaClients(broker.bootstrapServers(), KafkaSettings.DEV.withClientProperties(security))
                .admin("ledger-test-intruder");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        return Admin.create(props);
    }

    private static Set<String> listTopics(Admin admin)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        return admin.listTopics(new ListTopicsOptions().timeoutMs(5_000)).names().get(30, TimeUnit.SECONDS);
    }
}
