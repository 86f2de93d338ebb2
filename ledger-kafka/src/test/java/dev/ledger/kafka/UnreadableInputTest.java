package dev.ledger.kafka;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.kafka.LedgerJson.UnreadableException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import static dev.ledger.kafka.JsonSchemas.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the ledger cannot read it refuses loudly, with one exception type, never half-read. */
final class UnreadableInputTest {

    private static byte[] event(Consumer<ObjectNode> change) {
        ObjectNode json = (ObjectNode) tree(LedgerJson.writeEvent(Samples.firstEvent("FundsReserved")));
        change.accept(json);
        return LedgerJson.writeValue(json);
    }

    private static byte[] command(String type, Consumer<ObjectNode> change) {
        ObjectNode json = (ObjectNode) tree(LedgerJson.writeCommand(Samples.firstCommand(type)));
        change.accept(json);
        return LedgerJson.writeValue(json);
    }

    private static ObjectNode data(ObjectNode envelope) {
        return (ObjectNode) envelope.get("data");
    }

    private static void assertUnreadableEvent(byte[] json) {
        assertThatThrownBy(() -> LedgerJson.readEvent(json)).isInstanceOf(UnreadableException.class);
    }

    private static void assertUnreadableCommand(byte[] json) {
        assertThatThrownBy(() -> LedgerJson.readCommand(json)).isInstanceOf(UnreadableException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"eventId\":", "not json", "[]", "42", "null", ""})
    void malformed_json_or_no_object_is_unreadable(String input) {
        byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
        assertUnreadableEvent(bytes);
        assertUnreadableCommand(bytes);
    }

    @Test
    void an_unknown_type_is_unreadable() {
        assertUnreadableEvent(event(json -> json.put("type", "FundsStolen")));
        assertUnreadableCommand(command("ReserveFunds", json -> json.put("type", "StealFunds")));
    }

    @Test
    void a_newer_schema_version_is_unreadable_rather_than_misread() {
        int newer = LedgerJson.SCHEMA_VERSION + 1;
        assertUnreadableEvent(event(json -> json.put("schemaVersion", newer)));
        assertUnreadableCommand(command("ReserveFunds", json -> json.put("schemaVersion", newer)));
    }

    @Test
    void a_schema_version_below_the_first_is_unreadable() {
        assertUnreadableEvent(event(json -> json.put("schemaVersion", 0)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"eventId", "type", "aggregateId", "occurredAt", "commandId", "correlationId", "causationId"})
    void an_event_without_an_envelope_field_is_unreadable(String field) {
        assertUnreadableEvent(event(json -> json.remove(field)));
        assertUnreadableEvent(event(json -> json.putNull(field)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"commandId", "type", "issuedAt", "correlationId", "causationId"})
    void a_command_without_an_envelope_field_is_unreadable(String field) {
        assertUnreadableCommand(command("ReserveFunds", json -> json.remove(field)));
    }

    @Test
    void an_event_without_data_is_unreadable() {
        assertUnreadableEvent(event(json -> json.remove("data")));
        assertUnreadableEvent(event(json -> json.putNull("data")));
    }

    @Test
    void a_missing_or_null_amount_is_unreadable_rather_than_zero() {
        assertUnreadableEvent(event(json -> data(json).remove("amount")));
        assertUnreadableEvent(event(json -> data(json).putNull("amount")));
        assertUnreadableCommand(command("ReserveFunds", json -> data(json).remove("amount")));
    }

    @Test
    void an_unknown_currency_code_is_unreadable() {
        assertUnreadableCommand(command("ReserveFunds", json -> data(json).put("currency", "XYZ")));
    }

    @Test
    void a_missing_map_is_unreadable() {
        assertUnreadableCommand(command("InitiateTransfer",
                json -> ((ObjectNode) data(json).get("request")).remove("metadata")));
        assertUnreadableCommand(command("RejectTransfer", json -> data(json).remove("accountsTouched")));
    }

    @Test
    void fields_added_by_a_later_writer_are_ignored() {
        byte[] withMore = event(json -> {
            json.put("partition", 3);
            data(json).put("note", "added later");
        });
        assertThat(LedgerJson.readEvent(withMore))
                .isEqualTo(Samples.firstEvent("FundsReserved"));
    }

    /** Inputs the schemas refuse and that {@link LedgerJson} once read silently: never coerced, never half-read. */
    @Nested
    final class NoSilentCoercion {

        @Test
        void an_event_without_a_seq_is_unreadable() {
            assertUnreadableEvent(event(json -> json.remove("seq"))); // IllegalArgumentException today
        }

        @Test
        void an_event_with_an_unparseable_timestamp_is_unreadable() {
            assertUnreadableEvent(event(json -> json.put("occurredAt", "yesterday"))); // DateTimeParseException today
        }

        @Test
        void an_event_without_a_required_id_is_unreadable() {
            assertUnreadableEvent(event(json -> data(json).remove("transferId"))); // binds null today
        }

        @Test
        void a_command_without_its_request_is_unreadable() {
            assertUnreadableCommand(command("InitiateTransfer", json -> json.set("data", json.objectNode())));
        }

        @Test
        void a_fractional_amount_is_unreadable_rather_than_truncated() {
            assertUnreadableEvent(event(json -> data(json).put("amount", 2500.5))); // reads 2500 today
        }

        @Test
        void an_amount_written_as_a_string_is_unreadable() {
            assertUnreadableEvent(event(json -> data(json).put("amount", "2500")));
        }

        @Test
        void a_schema_version_that_is_no_number_is_unreadable() {
            assertUnreadableEvent(event(json -> json.put("schemaVersion", "one"))); // read as version 1 today
        }
    }
}
