package dev.ledger.launcher.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.ledger.kafka.LedgerKeys;
import dev.ledger.launcher.LedgerTarget;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Against the real broker and the real PostgreSQL, in a temp directory. */
class EmbeddedInfrastructureTest {
    private static final String TOPIC = "runtime.test";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private DataDirectory dir;

    @AfterEach
    void stopAnythingLeftBehind() {
        // A failed assertion must not leave a broker or a PostgreSQL running after the test.
        if (dir != null) EmbeddedInfrastructure.stopLeftovers(dir);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void keepsTopicsRecordsRowsAndPortsAcrossARestart() throws Exception {
        dir = new DataDirectory(tmp.resolve("data"));
        byte[] key = dir.loadOrCreateKey();
        String bootstrapServers;
        String jdbcUrl;
        long kafkaPid;
        long postgresPid;
        try (EmbeddedInfrastructure infrastructure = EmbeddedInfrastructure.start(dir)) {
            bootstrapServers = infrastructure.bootstrapServers();
            jdbcUrl = infrastructure.jdbcUrl();
            kafkaPid = infrastructure.kafkaPid();
            postgresPid = infrastructure.postgresPid();
            assertThat(bootstrapServers).startsWith("127.0.0.1:");
            assertThat(jdbcUrl).startsWith("jdbc:postgresql://127.0.0.1:").endsWith("/postgres");

            createTopic(bootstrapServers, TOPIC);
            produce(bootstrapServers, TOPIC, "acc-1", "opened");
            assertThat(consumeAll(bootstrapServers, TOPIC)).containsExactly("opened");
            execute(infrastructure, "CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL)",
                    "INSERT INTO accounts VALUES ('acc-1', 100)");
            assertThat(accounts(infrastructure)).containsExactly("acc-1=100");

            assertThatThrownBy(() -> EmbeddedInfrastructure.start(dir))
                    .hasMessageContaining("another ledger launcher");
            LedgerTarget target = LedgerTarget.find(dir.root(), Map.of());
            assertThat(target.external()).isFalse();
            assertThat(target.config().bootstrapServers()).isEqualTo(bootstrapServers);
            assertThat(target.config().jdbcUrl()).isEqualTo(jdbcUrl);
            assertThat(target.config().keys().key(LedgerKeys.DEFAULT_ID)).hasValueSatisfying(k -> assertThat(k).isEqualTo(key));
        }

        assertThat(OsProcesses.isAlive(kafkaPid)).as("broker stopped").isFalse();
        assertThat(OsProcesses.isAlive(postgresPid)).as("PostgreSQL stopped").isFalse();
        assertThat(dir.kafkaPidFile()).doesNotExist();
        assertThat(dir.postmasterPidFile()).doesNotExist();
        assertThatThrownBy(() -> LedgerTarget.find(dir.root(), Map.of())).hasMessageContaining("is running");

        try (EmbeddedInfrastructure infrastructure = EmbeddedInfrastructure.start(dir)) {
            assertThat(infrastructure.bootstrapServers()).isEqualTo(bootstrapServers);
            assertThat(infrastructure.jdbcUrl()).isEqualTo(jdbcUrl);
            assertThat(topics(bootstrapServers)).contains(TOPIC);
            assertThat(consumeAll(bootstrapServers, TOPIC)).containsExactly("opened");
            assertThat(accounts(infrastructure)).containsExactly("acc-1=100");
        }
        assertThat(dir.loadOrCreateKey()).isEqualTo(key);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void stopsTheServersOfAKilledLauncherAndKeepsTheirData() throws Exception {
        dir = new DataDirectory(tmp.resolve("data"));
        Path childOutput = tmp.resolve("child.out");
        Process launcher = new ProcessBuilder(ChildJvm.command(false, List.of("-Xmx256m"),
                InfrastructureChild.class.getName(), List.of(dir.root().toString())))
                .redirectErrorStream(true)
                .redirectOutput(childOutput.toFile())
                .start();
        long kafkaPid;
        long postgresPid;
        try {
            awaitOutput(launcher, childOutput, InfrastructureChild.READY, Duration.ofSeconds(120));
            Ports ports = dir.readPorts().orElseThrow();
            String bootstrapServers = KafkaBrokerProcess.bootstrapServers(ports);
            createTopic(bootstrapServers, TOPIC);
            produce(bootstrapServers, TOPIC, "acc-1", "opened");
            try (Connection connection = DriverManager.getConnection(PostgresServer.jdbcUrl(ports.postgresPort()),
                    PostgresServer.USER, PostgresServer.PASSWORD);
                 Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE accounts (id text PRIMARY KEY, balance bigint NOT NULL)");
                statement.execute("INSERT INTO accounts VALUES ('acc-1', 100)");
            }
            kafkaPid = OsProcesses.readPid(dir.kafkaPidFile()).orElseThrow();
            postgresPid = OsProcesses.readPid(dir.postmasterPidFile()).orElseThrow();
        } finally {
            // What SIGKILL does to a launcher: no shutdown hook, no close().
            launcher.destroyForcibly();
            assertThat(launcher.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(OsProcesses.isAlive(kafkaPid)).as("broker outlives the killed launcher").isTrue();
        assertThat(OsProcesses.isAlive(postgresPid)).as("PostgreSQL outlives the killed launcher").isTrue();

        try (EmbeddedInfrastructure infrastructure = EmbeddedInfrastructure.start(dir)) {
            assertThat(OsProcesses.isAlive(kafkaPid)).as("stale broker stopped").isFalse();
            assertThat(OsProcesses.isAlive(postgresPid)).as("stale PostgreSQL stopped").isFalse();
            assertThat(infrastructure.kafkaPid()).isNotEqualTo(kafkaPid);
            assertThat(infrastructure.postgresPid()).isNotEqualTo(postgresPid);
            assertThat(consumeAll(infrastructure.bootstrapServers(), TOPIC)).containsExactly("opened");
            assertThat(accounts(infrastructure)).containsExactly("acc-1=100");
        }
    }

    private static void awaitOutput(Process process, Path output, String line, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            String text = Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
            if (text.lines().anyMatch(line::equals)) return;
            if (!process.isAlive()) throw new AssertionError("the child launcher exited early:\n" + text);
            OsProcesses.sleep(100);
        }
        throw new AssertionError("no '" + line + "' from the child launcher within " + timeout + ":\n"
                + Files.readString(output, StandardCharsets.UTF_8));
    }

    private static Admin admin(String bootstrapServers) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    private static void createTopic(String bootstrapServers, String topic) throws Exception {
        try (Admin admin = admin(bootstrapServers)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static Set<String> topics(String bootstrapServers) throws Exception {
        try (Admin admin = admin(bootstrapServers)) {
            return admin.listTopics().names().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static void produce(String bootstrapServers, String topic, String key, String value) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** Every value of partition 0, read without a consumer group (nothing to coordinate, nothing to wait for). */
    private static List<String> consumeAll(String bootstrapServers, String topic) {
        TopicPartition partition = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), WAIT).get(partition);
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (consumer.position(partition, WAIT) < end && System.nanoTime() - deadline < 0) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) values.add(record.value());
            }
            return values;
        }
    }

    private static void execute(EmbeddedInfrastructure infrastructure, String... statements) throws SQLException {
        try (Connection connection = connect(infrastructure); Statement statement = connection.createStatement()) {
            for (String sql : statements) statement.execute(sql);
        }
    }

    private static List<String> accounts(EmbeddedInfrastructure infrastructure) throws SQLException {
        try (Connection connection = connect(infrastructure);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id, balance FROM accounts ORDER BY id")) {
            List<String> result = new ArrayList<>();
            while (rows.next()) result.add(rows.getString(1) + "=" + rows.getLong(2));
            return result;
        }
    }

    private static Connection connect(EmbeddedInfrastructure infrastructure) throws SQLException {
        return DriverManager.getConnection(infrastructure.jdbcUrl(), infrastructure.dbUser(), infrastructure.dbPassword());
    }
}
