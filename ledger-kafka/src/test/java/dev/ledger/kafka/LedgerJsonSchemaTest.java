package dev.ledger.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.Outcome;
import dev.ledger.domain.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.StreamSupport;

import static dev.ledger.kafka.JsonSchemas.assertValid;
import static dev.ledger.kafka.JsonSchemas.errors;
import static dev.ledger.kafka.JsonSchemas.tree;
import static org.assertj.core.api.Assertions.assertThat;

/** Every type is written in its envelope, validates against its schemas and reads back equal. */
final class LedgerJsonSchemaTest {

    private static final List<EventEnvelope> EVENTS = Samples.EVENTS;
    private static final List<CommandEnvelope> COMMANDS = Samples.COMMANDS;
    private static final List<CommandResult> RESULTS = Samples.RESULTS;

    @Test
    void every_event_type_has_a_sample_and_a_schema() {
        assertThat(EVENTS.stream().map(EventEnvelope::type).distinct())
                .as("a new event type needs a sample in Samples.EVENTS")
                .containsExactlyInAnyOrderElementsOf(LedgerJson.eventTypes().keySet());
        LedgerJson.eventTypes().keySet()
                .forEach(type -> assertThat(JsonSchemas.file("events/" + type + ".json")).exists());
    }

    @Test
    void every_command_type_has_a_sample_and_a_schema() {
        assertThat(COMMANDS.stream().map(CommandEnvelope::type).distinct())
                .as("a new command type needs a sample in Samples.COMMANDS")
                .containsExactlyInAnyOrderElementsOf(LedgerJson.commandTypes().keySet());
        LedgerJson.commandTypes().keySet()
                .forEach(type -> assertThat(JsonSchemas.file("commands/" + type + ".json")).exists());
    }

    @Test
    void the_envelope_schemas_accept_exactly_the_registered_types() {
        assertThat(enumOf("event-envelope.json", "/properties/type/enum"))
                .containsExactlyInAnyOrderElementsOf(LedgerJson.eventTypes().keySet());
        assertThat(enumOf("command-envelope.json", "/properties/type/enum"))
                .containsExactlyInAnyOrderElementsOf(LedgerJson.commandTypes().keySet());
    }

    @Test
    void the_schema_enums_are_the_domain_enums() {
        List<String> reasons = new ArrayList<>(enumOf("defs.json", "/$defs/transferReason/enum"));
        reasons.addAll(enumOf("defs.json", "/$defs/reason/anyOf/1/enum"));
        assertThat(reasons).containsExactlyInAnyOrderElementsOf(names(Reason.values()));
        assertThat(enumOf("defs.json", "/$defs/outcomeStatus/enum"))
                .containsExactlyInAnyOrderElementsOf(names(Outcome.Status.values()));
    }

    @ParameterizedTest
    @FieldSource("EVENTS")
    void an_event_is_written_as_its_schemas_say_and_reads_back_equal(EventEnvelope envelope) {
        byte[] written = LedgerJson.writeEvent(envelope);

        JsonNode json = tree(written);
        assertValid("event-envelope.json", json);
        assertValid("events/" + envelope.type() + ".json", json.get("data"));
        assertThat(LedgerJson.readEvent(written)).isEqualTo(envelope);
    }

    @ParameterizedTest
    @FieldSource("COMMANDS")
    void a_command_is_written_as_its_schemas_say_and_reads_back_equal(CommandEnvelope envelope) {
        byte[] written = LedgerJson.writeCommand(envelope);

        JsonNode json = tree(written);
        assertValid("command-envelope.json", json);
        assertValid("commands/" + envelope.type() + ".json", json.get("data"));
        assertThat(LedgerJson.readCommand(written)).isEqualTo(envelope);
    }

    @ParameterizedTest
    @FieldSource("RESULTS")
    void a_command_result_is_written_as_its_schema_says_and_reads_back_equal(CommandResult result) {
        byte[] written = LedgerJson.writeValue(result);

        assertValid("command-result.json", tree(written));
        assertThat(LedgerJson.readValue(written, CommandResult.class)).isEqualTo(result);
    }

    @Test
    void map_entries_are_written_sorted_and_null_fields_omitted() {
        JsonNode opened = tree(LedgerJson.writeEvent(Samples.firstEvent("AccountOpened"))).get("data");
        assertThat(opened.get("metadata").fieldNames()).toIterable().containsExactly("customer", "segment");

        JsonNode withoutReference = tree(LedgerJson.writeEvent(Samples.EVENTS.stream()
                .filter(e -> e.type().equals("TransferInitiated")).skip(1).findFirst().orElseThrow())).get("data");
        assertThat(withoutReference.has("reference")).isFalse();
    }

    /** The schemas must not be vacuous: each of these breaks the contract. */
    static final List<Breach> EVENT_BREACHES = List.of(
            new Breach("amount zero", data -> data.put("amount", 0)),
            new Breach("amount above 2^53-1", data -> data.put("amount", 9007199254740992L)),
            new Breach("fractional amount", data -> data.put("amount", 25.5)),
            new Breach("amount as a string", data -> data.put("amount", "2500")),
            new Breach("id with a space", data -> data.put("transferId", "t 1")),
            new Breach("id starting with a dot", data -> data.put("accountId", ".alice")),
            new Breach("id of 65 characters", data -> data.put("accountId", "a".repeat(65))),
            new Breach("missing required field", data -> data.remove("creditAccountId")),
            new Breach("null required field", data -> data.putNull("transferId")));

    @ParameterizedTest
    @FieldSource("EVENT_BREACHES")
    void the_event_schema_rejects_a_breach_of_the_contract(Breach breach) {
        ObjectNode json = (ObjectNode) tree(LedgerJson.writeEvent(Samples.firstEvent("FundsReserved")));
        breach.apply().accept((ObjectNode) json.get("data"));

        assertThat(errors("events/FundsReserved.json", json.get("data"))).as(breach.name()).isNotEmpty();
        assertThat(errors("event-envelope.json", json)).as(breach.name()).isNotEmpty();
    }

    /** What Text refuses, the schemas of the event that carries client text refuse too. */
    static final List<Breach> TEXT_BREACHES = List.of(
            new Breach("NUL in the reference", data -> data.put("reference", "bad\u0000ref")),
            new Breach("C1 control in the reference", data -> data.put("reference", "\u009b2J")),
            new Breach("reference of 513 code points", data -> data.put("reference", "a".repeat(513))),
            new Breach("non-character in a metadata value", data -> data.putObject("metadata").put("k", "\uffff")),
            new Breach("empty metadata key", data -> data.putObject("metadata").put("", "v")),
            new Breach("metadata value of 1025 code points", data -> data.putObject("metadata").put("k", "v".repeat(1025))));

    @ParameterizedTest
    @FieldSource("TEXT_BREACHES")
    void the_schemas_refuse_client_text_that_is_not_acceptable(Breach breach) {
        ObjectNode json = (ObjectNode) tree(LedgerJson.writeEvent(Samples.firstEvent("TransferInitiated")));
        breach.apply().accept((ObjectNode) json.get("data"));

        assertThat(errors("events/TransferInitiated.json", json.get("data"))).as(breach.name()).isNotEmpty();
    }

    @Test
    void the_schemas_accept_emoji_combining_marks_and_format_characters_at_the_length_bound() {
        ObjectNode json = (ObjectNode) tree(LedgerJson.writeEvent(Samples.firstEvent("TransferInitiated")));
        var data = (ObjectNode) json.get("data");
        data.put("reference", "\ud83d\ude00".repeat(512));
        data.putObject("metadata").put("cafe\u0301", "\ud83d\udc68\u200d\ud83d\udc69 \u05e9\u200f");

        assertThat(errors("events/TransferInitiated.json", data)).isEmpty();
    }

    static final List<Breach> ENVELOPE_BREACHES = List.of(
            new Breach("unknown type", json -> json.put("type", "FundsStolen")),
            new Breach("null causation id", json -> json.putNull("causationId")),
            new Breach("missing event id", json -> json.remove("eventId")),
            new Breach("seq zero", json -> json.put("seq", 0)),
            new Breach("timestamp with an offset", json -> json.put("occurredAt", "2026-11-22T11:00:00+01:00")),
            new Breach("timestamp that is no date", json -> json.put("occurredAt", "2026-02-30T10:00:00Z")),
            new Breach("lower-case currency in data", json -> ((ObjectNode) json.get("data")).put("currency", "eur")),
            new Breach("data of another type", json -> json.put("type", "AccountClosed").put("aggregateId", "t-0001")
                    .set("data", LedgerJson.MAPPER.createObjectNode().put("transferId", "t-0001"))));

    @ParameterizedTest
    @FieldSource("ENVELOPE_BREACHES")
    void the_envelope_schema_rejects_a_breach_of_the_contract(Breach breach) {
        ObjectNode json = (ObjectNode) tree(LedgerJson.writeEvent(Samples.firstEvent("TransferInitiated")));
        breach.apply().accept(json);

        assertThat(errors("event-envelope.json", json)).as(breach.name()).isNotEmpty();
    }

    @Test
    void the_result_schema_requires_the_reason_of_a_rejection() {
        ObjectNode json = (ObjectNode) tree(LedgerJson.writeValue(
                new CommandResult("t-0003", "cmd-1", Outcome.rejected(Reason.OVERFLOW, Map.of()))));
        ((ObjectNode) json.get("outcome")).remove("reason");

        assertThat(errors("command-result.json", json)).isNotEmpty();
    }

    record Breach(String name, Consumer<ObjectNode> apply) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static List<String> enumOf(String schema, String pointer) {
        return values(tree(JsonSchemas.file(schema)).at(pointer));
    }

    private static List<String> values(JsonNode array) {
        assertThat(array.isArray()).as("%s is an array", array).isTrue();
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static List<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).toList();
    }
}
