package dev.ledger.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.ClientText;
import dev.ledger.domain.Text;
import dev.ledger.domain.account.AccountEvent.AccountOpened;
import dev.ledger.domain.transfer.TransferEvent.TransferInitiated;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.EventRecords;
import dev.ledger.kafka.LedgerJson;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Arbitrary Unicode through the real API, broker and PostgreSQL: control characters, lone
 * surrogates, non-characters, 4-byte characters, combining marks and format characters, at and
 * just over the length bounds. Each request is either refused with a 400 naming the field, and
 * nothing of it is ever recorded, or it round-trips exactly: the API's answer, the event on the
 * event topic, the projected row and a later GET all hold the very code points that were sent.
 *
 * <p>A lone surrogate has no UTF-8 form, so the request bodies are written by hand: such a unit is
 * always sent as a JSON {@code \\u} escape, and every other character either raw (UTF-8) or escaped.
 */
class TextRoundTripEndToEndTest {
    private static final Duration EVENT_WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger ids = new AtomicInteger();

    private static LedgerHarness ledger;
    private static KafkaConsumer<String, byte[]> eventReader;
    private static Connection readModel;
    /** Every committed event read so far, by aggregate id. */
    private static final Map<String, List<EventEnvelope>> eventsByAggregate = new HashMap<>();
    /** The ids of refused requests: none of them may ever show up on the event topic. */
    private static final Set<String> refusedIds = new HashSet<>();

    @BeforeContainer
    static void start() throws SQLException {
        ledger = LedgerHarness.start("text");
        assertThat(ledger.post("/v1/accounts", "bank", """
                {"accountId":"bank","currency":"EUR","unlimitedOverdraft":true}""").status()).isEqualTo(201);
        assertThat(ledger.post("/v1/accounts", "alice", """
                {"accountId":"alice","currency":"EUR"}""").status()).isEqualTo(201);
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ledger.config().bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        eventReader = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        String topic = ledger.config().topics().events();
        List<TopicPartition> partitions = eventReader.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        eventReader.assign(partitions);
        eventReader.seekToBeginning(partitions);
        readModel = DriverManager.getConnection(ledger.config().jdbcUrl(), ledger.config().dbUser(),
                ledger.config().dbPassword());
    }

    @AfterContainer
    static void stop() throws SQLException {
        if (readModel != null) readModel.close();
        if (eventReader != null) eventReader.close();
        if (ledger != null) ledger.close();
    }

    /** A string as the test means it, and the JSON string literal that sends it. */
    record Sent(String value, String json) {
        @Override
        public String toString() {
            return json; // readable in a failure report, lone surrogates included
        }
    }

    @Property(tries = 80)
    @StatisticsReport(onFailureOnly = true)
    void an_account_with_any_metadata_is_refused_naming_the_entry_or_reads_back_exactly(
            @ForAll("metadataKeys") Sent key, @ForAll("metadataValues") Sent value) throws SQLException {
        String accountId = "acct-" + ids.incrementAndGet();
        var response = ledger.post("/v1/accounts", UUID.randomUUID().toString(), """
                {"accountId":"%s","currency":"EUR","metadata":{%s:%s}}""".formatted(accountId, key.json(), value.json()));

        String expectedField = metadataField(key, value);
        countOutcome(expectedField == null);
        if (expectedField != null) {
            assertRefused(response, accountId, expectedField);
            return;
        }
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        Map<String, String> metadata = Map.of(key.value(), value.value());
        assertThat(strings(response.json().path("metadata"))).isEqualTo(metadata);

        var opened = (AccountOpened) awaitEvent(accountId, "AccountOpened").event();
        assertThat(opened.metadata()).isEqualTo(metadata);
        var read = ledger.get("/v1/accounts/" + accountId, "Ledger-Min-Position", response.header("Ledger-Position"));
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(strings(read.json().path("metadata"))).isEqualTo(metadata);
        assertThat(projectedMetadata("accounts", "account_id", accountId)).isEqualTo(metadata);
        assertNoRefusedRequestWasRecorded();
    }

    @Property(tries = 80)
    @StatisticsReport(onFailureOnly = true)
    void a_transfer_with_any_reference_and_metadata_is_refused_naming_the_field_or_reads_back_exactly(
            @ForAll("references") Sent reference, @ForAll("metadataValues") Sent note) throws SQLException {
        String transferId = "t-" + ids.incrementAndGet();
        var response = ledger.post("/v1/transfers", UUID.randomUUID().toString(), """
                {"transferId":"%s","debitAccountId":"bank","creditAccountId":"alice","amount":1,"currency":"EUR",
                 "reference":%s,"metadata":{"note":%s}}""".formatted(transferId, reference.json(), note.json()));

        var expectedFields = new ArrayList<String>();
        if (ClientText.referenceProblem(reference.value()) != null) expectedFields.add("reference");
        if (Text.problem(note.value(), 0, ClientText.MAX_METADATA_VALUE_CODE_POINTS) != null) expectedFields.add("metadata.note");
        countOutcome(expectedFields.isEmpty());
        if (!expectedFields.isEmpty()) {
            assertRefused(response, transferId, expectedFields.toArray(String[]::new));
            return;
        }
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        Map<String, String> metadata = Map.of("note", note.value());
        assertThat(response.json().path("reference").textValue()).isEqualTo(reference.value());

        var initiated = (TransferInitiated) awaitEvent(transferId, "TransferInitiated").event();
        assertThat(initiated.reference()).isEqualTo(reference.value());
        assertThat(initiated.metadata()).isEqualTo(metadata);
        var read = ledger.get("/v1/transfers/" + transferId, "Ledger-Min-Position", response.header("Ledger-Position"));
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(read.json().path("reference").textValue()).isEqualTo(reference.value());
        assertThat(strings(read.json().path("metadata"))).isEqualTo(metadata);
        assertThat(projectedReference(transferId)).isEqualTo(reference.value());
        assertThat(projectedMetadata("transfers", "transfer_id", transferId)).isEqualTo(metadata);
        assertNoRefusedRequestWasRecorded();
    }

    // --- generators

    @Provide
    Arbitrary<Sent> metadataKeys() {
        return text(ClientText.MAX_METADATA_KEY_CODE_POINTS);
    }

    @Provide
    Arbitrary<Sent> metadataValues() {
        return text(ClientText.MAX_METADATA_VALUE_CODE_POINTS);
    }

    @Provide
    Arbitrary<Sent> references() {
        return text(ClientText.MAX_REFERENCE_CODE_POINTS);
    }

    /** Short strings from every corner of Unicode, and strings at and just over {@code maxCodePoints}. */
    private static Arbitrary<Sent> text(int maxCodePoints) {
        Arbitrary<List<String>> shortText = unit().list().ofMaxSize(10);
        Arbitrary<List<String>> atTheBound = Combinators.combine(
                Arbitraries.of("a", "\u00e9", "\u20ac", "\ud83d\ude00", "e\u0301"), Arbitraries.of(0, 1))
                .as((repeated, over) -> {
                    // e + combining mark is two code points: the bound counts code points, not glyphs
                    int perUnit = repeated.codePointCount(0, repeated.length());
                    return List.of(repeated.repeat(maxCodePoints / perUnit + over));
                });
        Arbitrary<List<String>> parts = Arbitraries.frequencyOf(
                Tuple.of(8, shortText), Tuple.of(2, atTheBound));
        return Combinators.combine(parts, Arbitraries.of(true, false))
                .as((units, raw) -> sent(String.join("", units), raw));
    }

    /** One code point, or one lone surrogate. */
    private static Arbitrary<String> unit() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.chars().range(' ', '~').map(String::valueOf)),
                Tuple.of(2, codePoints(0x00, 0x1F)),
                Tuple.of(1, codePoints(0x7F, 0x9F)),
                Tuple.of(2, Arbitraries.chars().range('\ud800', '\udfff').map(String::valueOf)),
                Tuple.of(2, codePoints(0x1F300, 0x1FAFF)), // emoji: 4 bytes in UTF-8
                Tuple.of(2, codePoints(0x0300, 0x036F)), // combining marks
                Tuple.of(1, Arbitraries.of("\u200d", "\u200f", "\u202e", "\ufeff")), // format (Cf)
                Tuple.of(1, Arbitraries.of(0xFDD0, 0xFDEF, 0xFFFE, 0xFFFF, 0x1FFFE, 0x10FFFF)
                        .map(Character::toString)), // non-characters
                Tuple.of(2, codePoints(0x00A0, 0x10FFFF))); // anything, lone surrogates included
    }

    private static Arbitrary<String> codePoints(int from, int to) {
        return Arbitraries.integers().between(from, to).map(Character::toString);
    }

    /**
     * The JSON literal of {@code value}: {@code \\u} escapes for what JSON or UTF-8 cannot carry raw
     * (controls, quotes, backslashes, lone surrogates), and, unless {@code raw}, for all non-ASCII.
     */
    private static Sent sent(String value, boolean raw) {
        var json = new StringBuilder("\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1));
            if (pair && raw) {
                json.append(c).append(value.charAt(++i));
            } else if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c >= ' ' && c <= '~' || raw && c > '\u009f' && !Character.isSurrogate(c)) {
                json.append(c);
            } else {
                json.append("\\u%04x".formatted((int) c));
            }
        }
        return new Sent(value, json.append('"').toString());
    }

    // --- checks

    /** A property that only ever refused, or only ever accepted, would prove half of what it says. */
    private static void countOutcome(boolean accepted) {
        Statistics.collect(accepted ? "accepted" : "refused");
        Statistics.coverage(coverage -> {
            coverage.check("accepted").percentage(p -> p >= 10);
            coverage.check("refused").percentage(p -> p >= 10);
        });
    }

    /** The field the API must name for this metadata entry, or null when the entry is acceptable. */
    private static String metadataField(Sent key, Sent value) {
        if (Text.problem(key.value(), 1, ClientText.MAX_METADATA_KEY_CODE_POINTS) != null) return "metadata";
        if (Text.problem(value.value(), 0, ClientText.MAX_METADATA_VALUE_CODE_POINTS) != null) {
            return "metadata." + key.value();
        }
        return null;
    }

    private static void assertRefused(LedgerClient.Response response, String id, String... fields) {
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        var named = new ArrayList<String>();
        response.json().path("errors").forEach(e -> named.add(e.path("field").textValue()));
        assertThat(named).containsExactly(fields);
        refusedIds.add(id);
    }

    private static void assertNoRefusedRequestWasRecorded() {
        assertThat(refusedIds).as("refused requests whose events are on the topic").noneMatch(eventsByAggregate::containsKey);
    }

    private static EventEnvelope awaitEvent(String aggregateId, String type) {
        long deadline = System.nanoTime() + EVENT_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            var found = eventsByAggregate.getOrDefault(aggregateId, List.of()).stream()
                    .filter(e -> e.type().equals(type)).findFirst();
            if (found.isPresent()) return found.get();
            eventReader.poll(Duration.ofMillis(100)).forEach(r -> EventRecords.decode(r.key(), r.value(), r.headers())
                    .forEach(event -> eventsByAggregate.computeIfAbsent(event.aggregateId(), a -> new ArrayList<>())
                            .add(event)));
        }
        throw new AssertionError("no " + type + " of " + aggregateId + " on the event topic within " + EVENT_WAIT);
    }

    /** The row's metadata as PostgreSQL holds it: each jsonb entry as text. */
    private static Map<String, String> projectedMetadata(String table, String idColumn, String id) throws SQLException {
        var metadata = new LinkedHashMap<String, String>();
        try (var query = readModel.prepareStatement("SELECT e.key, e.value FROM read_model." + table
                + " t, jsonb_each_text(t.metadata) e WHERE t." + idColumn + " = ?")) {
            query.setString(1, id);
            try (var rows = query.executeQuery()) {
                while (rows.next()) metadata.put(rows.getString(1), rows.getString(2));
            }
        }
        return metadata;
    }

    private static String projectedReference(String transferId) throws SQLException {
        try (var query = readModel.prepareStatement("SELECT reference FROM read_model.transfers WHERE transfer_id = ?")) {
            query.setString(1, transferId);
            try (var rows = query.executeQuery()) {
                assertThat(rows.next()).as("projected row of " + transferId).isTrue();
                return rows.getString(1);
            }
        }
    }

    private static Map<String, String> strings(JsonNode object) {
        var map = new LinkedHashMap<String, String>();
        object.properties().forEach(e -> map.put(e.getKey(), e.getValue().textValue()));
        return map;
    }
}
