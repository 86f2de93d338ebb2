package dev.ledger.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.LedgerJson;
import dev.ledger.kafka.TopicNames;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * A whole ledger (processors, projection, API) on the JVM's shared real broker and PostgreSQL,
 * kept apart from other tests by its own topic prefix, application ids and database.
 */
final class LedgerHarness implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARTITIONS = 4;

    private final LedgerConfig config;
    private final Map<String, Object> streamsOverrides;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private LedgerApplication app;

    private LedgerHarness(LedgerConfig config, Map<String, Object> streamsOverrides) {
        this.config = config;
        this.streamsOverrides = streamsOverrides;
        this.app = LedgerApplication.start(config, streamsOverrides);
    }

    static LedgerHarness start(String name) {
        return start(name, Map.of());
    }

    static LedgerHarness start(String name, Map<String, Object> streamsOverrides) {
        return new LedgerHarness(configFor(name), streamsOverrides);
    }

    /** A config of its own on the shared infrastructure: topics, app ids, database, state dir, key. */
    static LedgerConfig configFor(String name) {
        String unique = name + "-" + Long.toHexString(System.nanoTime());
        String database = "ledger_" + unique.replaceAll("[^a-zA-Z0-9]", "_").toLowerCase();
        try (var c = DriverManager.getConnection(SharedInfrastructure.jdbcUrl(), SharedInfrastructure.dbUser(),
                SharedInfrastructure.dbPassword()); var s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        try {
            return new LedgerConfig(SharedInfrastructure.bootstrapServers(),
                    SharedInfrastructure.jdbcUrl().replaceFirst("/postgres(\\?|$)", "/" + database + "$1"),
                    SharedInfrastructure.dbUser(), SharedInfrastructure.dbPassword(), 0, PARTITIONS, key,
                    Files.createTempDirectory("ledger-state-"), TopicNames.prefixed(unique + "."), 20, "test-" + unique);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    LedgerConfig config() {
        return config;
    }

    LedgerApplication app() {
        return app;
    }

    /** Stops every part and starts them again on the same broker, database and state directory. */
    void restart() {
        app.close();
        app = LedgerApplication.start(config, streamsOverrides);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + app.httpPort();
    }

    Response post(String path, String idempotencyKey, String body, String... headers) {
        var builder = request(path, headers).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (idempotencyKey != null) builder.header("Idempotency-Key", idempotencyKey);
        return send(builder.build());
    }

    Response get(String path, String... headers) {
        return send(request(path, headers).GET().build());
    }

    private HttpRequest.Builder request(String path, String... headers) {
        var builder = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(40));
        for (int i = 0; i < headers.length; i += 2) builder.header(headers[i], headers[i + 1]);
        return builder;
    }

    private Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers().map());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every committed event on the event topic, read as an auditor would (read_committed). */
    List<EventEnvelope> committedEvents() {
        var events = new ArrayList<EventEnvelope>();
        readCommitted(config.topics().events(), r -> events.add(LedgerJson.readEvent(r.value())));
        return events;
    }

    void readCommitted(String topic, Consumer<ConsumerRecord<String, byte[]>> sink) {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("could not read " + topic + " to its end");
                consumer.poll(Duration.ofMillis(200)).forEach(sink);
            }
        }
    }

    @Override
    public void close() {
        app.close();
    }

    record Response(int status, String body, Map<String, List<String>> headers) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON: " + body, e);
            }
        }

        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }
}
