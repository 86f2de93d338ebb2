package dev.ledger.projection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.LedgerJson;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One record of {@code ledger.events} exactly as read, and what decoding it gave: the event, or why it
 * is unreadable. The projection decodes itself (its source reads bytes) so that an unreadable record is
 * handled like any other event that cannot be applied, with its position, instead of failing the task.
 *
 * @param event      the decoded event, or null when {@code unreadable} says why not
 * @param unreadable why the record is no event this projection can read, or null
 */
record EventRecord(String topic, int partition, long offset, byte[] key, byte[] value, EventEnvelope event,
                   String unreadable) {
    private static final ObjectMapper LENIENT = new ObjectMapper();

    static EventRecord read(String topic, int partition, long offset, byte[] key, byte[] value) {
        // ledger.events never holds a tombstone; one here is not an event we may skip.
        if (value == null) return new EventRecord(topic, partition, offset, key, null, null, "a record without a value");
        EventEnvelope event;
        try {
            event = LedgerJson.readEvent(value);
        } catch (LedgerJson.UnreadableException | IllegalArgumentException | NullPointerException e) {
            return new EventRecord(topic, partition, offset, key, value, null, "unreadable event: " + e.getMessage());
        }
        if (key != null && !Arrays.equals(key, event.aggregateId().getBytes(StandardCharsets.UTF_8))) {
            return new EventRecord(topic, partition, offset, key, value, null, "the record is keyed '"
                    + new String(key, StandardCharsets.UTF_8) + "' but carries an event of '" + event.aggregateId() + "'");
        }
        return new EventRecord(topic, partition, offset, key, value, event, null);
    }

    /** The event id, also of a record that is otherwise unreadable when its JSON names one; else null. */
    String eventId() {
        if (event != null) return event.eventId();
        if (value == null) return null;
        try {
            JsonNode id = LENIENT.readTree(value).path("eventId");
            return id.isTextual() ? id.asText() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** {@code ledger.events-3@17 (event e-1)}: where the record is, for logs and problems. */
    String position() {
        String id = eventId();
        return topic + "-" + partition + "@" + offset + (id == null ? "" : " (event " + Printable.of(id, 200) + ")");
    }
}
