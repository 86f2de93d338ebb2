package dev.ledger.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.KafkaClients;
import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.EventRecords;
import dev.ledger.kafka.LedgerJson;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What a test uses to talk to a running ledger: its HTTP API (every request carries the client's API
 * key, when it has one), and its event topic read as an auditor would.
 */
class LedgerClient {
    static final ObjectMapper JSON = new ObjectMapper();

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Supplier<String> baseUrl;
    private final LedgerConfig config;
    private final String apiKey;

    /**
     * @param config where the event topic is; may be null for a client that only speaks HTTP
     * @param apiKey sent as {@code Authorization: Bearer}; null sends none
     */
    LedgerClient(Supplier<String> baseUrl, LedgerConfig config, String apiKey) {
        this.baseUrl = baseUrl;
        this.config = config;
        this.apiKey = apiKey;
    }

    String apiKey() {
        return apiKey;
    }

    /** The same ledger, reached with another key (null: none). */
    LedgerClient withApiKey(String otherKey) {
        return new LedgerClient(baseUrl, config, otherKey);
    }

    /** Creates a key through the admin endpoint (this client's key must be an admin's): its keyId, apiKey, ... */
    JsonNode createKey(String role, String tenant) {
        String body = tenant == null ? "{\"name\": \"test %s\", \"role\": \"%s\"}".formatted(role, role)
                : "{\"name\": \"test %s\", \"role\": \"%s\", \"tenant\": \"%s\"}".formatted(role, role, tenant);
        Response created = post("/v1/api-keys", null, body);
        if (created.status() != 201) throw new IllegalStateException("could not create a " + role + " key: " + created);
        return created.json();
    }

    /** A client with a new key of {@code role}, confined to {@code tenant} unless it is null. */
    LedgerClient withNewKey(String role, String tenant) {
        return withApiKey(createKey(role, tenant).path("apiKey").asText());
    }

    Response delete(String path) {
        return send(request(path).DELETE().build());
    }

    LedgerConfig config() {
        return config;
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
        var builder = HttpRequest.newBuilder(URI.create(baseUrl.get() + path)).timeout(Duration.ofSeconds(40));
        if (apiKey != null) builder.header("Authorization", "Bearer " + apiKey);
        for (int i = 0; i < headers.length; i += 2) builder.header(headers[i], headers[i + 1]);
        return builder;
    }

    private Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
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
        readCommitted(config.topics().events(), r -> events.addAll(EventRecords.decode(r.key(), r.value(), r.headers())));
        return events;
    }

    void readCommitted(String topic, Consumer<ConsumerRecord<String, byte[]>> sink) {
        Properties props = KafkaClients.of(config).consumer("ledger-test-reader");
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
