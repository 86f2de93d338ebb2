package dev.ledger.projection;

import dev.ledger.kafka.EventCodec;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.EventRecords;
import dev.ledger.kafka.LedgerJson;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One event of {@code ledger.events} exactly as read, and what decoding it gave: the event, or why it
 * is unreadable. The projection decodes itself (its source reads bytes) so that an unreadable record is
 * handled like any other event that cannot be applied, with its position, instead of failing the task.
 * A record holds one event (the first format) or a batch ({@link EventRecords}); an event's position is
 * its record's offset and its index in the record.
 *
 * @param index      the event's place in its record: 0 for a record of one event
 * @param key        the record's key for a record of one event; null for an event of a batch
 * @param value      the event's own bytes; the whole record's when the record could not be split
 * @param event      the decoded event, or null when {@code unreadable} says why not
 * @param unreadable why the record is no event this projection can read, or null
 */
record EventRecord(String topic, int partition, long offset, int index, byte[] key, byte[] value,
                   EventEnvelope event, String unreadable) {
    /** Every event of one record, in order. */
    static List<EventRecord> readAll(String topic, int partition, long offset, byte[] key, byte[] value) {
        if (!EventRecords.isBatch(value)) return List.of(read(topic, partition, offset, 0, key, value));
        List<EventRecords.Stored> events;
        try {
            events = EventRecords.read(null, value, null);
        } catch (LedgerJson.UnreadableException e) {
            return List.of(new EventRecord(topic, partition, offset, 0, key, value, null,
                    "unreadable record: " + e.getMessage()));
        }
        var read = new ArrayList<EventRecord>(events.size());
        for (int i = 0; i < events.size(); i++) read.add(read(topic, partition, offset, i, null, events.get(i).value()));
        return read;
    }

    /** One event: a record of the first format, one event of a batch, or a parked event read back. */
    static EventRecord read(String topic, int partition, long offset, int index, byte[] key, byte[] value) {
        // ledger.events never holds a tombstone; one here is not an event we may skip.
        if (value == null) return new EventRecord(topic, partition, offset, index, key, null, null, "a record without a value");
        EventEnvelope event;
        try {
            event = EventCodec.read(value);
        } catch (LedgerJson.UnreadableException | IllegalArgumentException | NullPointerException e) {
            return new EventRecord(topic, partition, offset, index, key, value, null, "unreadable event: " + e.getMessage());
        }
        if (key != null && !Arrays.equals(key, event.aggregateId().getBytes(StandardCharsets.UTF_8))) {
            return new EventRecord(topic, partition, offset, index, key, value, null, "the record is keyed '"
                    + new String(key, StandardCharsets.UTF_8) + "' but carries an event of '" + event.aggregateId() + "'");
        }
        return new EventRecord(topic, partition, offset, index, key, value, event, null);
    }

    /** The event id, also of a record that is otherwise unreadable when its bytes name one; else null. */
    String eventId() {
        if (event != null) return event.eventId();
        return EventCodec.eventIdIn(value);
    }

    /** Whether this event comes after the other one in its partition. */
    boolean isAtOrAfter(EventRecord other) {
        return offset > other.offset || offset == other.offset && index >= other.index;
    }

    /** {@code ledger.events-3@17#2 (event e-1)}: where the event is, for logs and problems. */
    String position() {
        String id = eventId();
        return topic + "-" + partition + "@" + offset + (index == 0 ? "" : "#" + index) + (id == null ? "" : " (event " + Printable.of(id, 200) + ")");
    }
}
