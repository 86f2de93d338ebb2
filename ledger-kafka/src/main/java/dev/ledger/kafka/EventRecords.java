package dev.ledger.kafka;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The records of {@code ledger.events}. A record carries the events one batch of commands caused on
 * one partition, each with the exact bytes of its envelope and its own hash-chain link, so that every
 * reader verifies and decodes each event as if it had a record of its own:
 * <pre>
 *   0x00 (a JSON event starts with '{') | version 1 | int count | count x (int length, envelope bytes, int length, hash)
 * </pre>
 * An event's bytes are binary ({@link EventCodec}) or, written before, JSON: one batch may hold both,
 * and every reader decodes them through {@link EventCodec#read}.
 * The first format, one JSON envelope per record with its link in the {@value HashChain#HEADER}
 * header, is still read: the log is kept forever.
 */
public final class EventRecords {
    /** Well below the broker's and producer's 1 MiB record limit; a larger batch takes several records. */
    public static final int MAX_RECORD_BYTES = 512 * 1024;
    private static final byte MAGIC = 0;
    private static final byte VERSION = 1;
    private static final int HEADER_BYTES = 2 + Integer.BYTES;

    private EventRecords() {
    }

    /**
     * One stored event.
     *
     * @param key   the record key when the record held this event alone (the first format); null in a
     *              batch, where the envelope names its aggregate
     * @param value the exact bytes of the envelope, as hashed
     * @param hash  its hash-chain link, or null when the record had none
     */
    public record Stored(String key, byte[] value, byte[] hash) {
    }

    /** Whether the value is a batch (the second format) rather than one JSON envelope. */
    public static boolean isBatch(byte[] value) {
        return value != null && value.length > 0 && value[0] == MAGIC;
    }

    /** Every event of one record, decoded: for tools and tests, which need not verify the chain. */
    public static List<EventEnvelope> decode(String key, byte[] value, Headers headers) {
        return read(key, value, headers).stream().map(e -> EventCodec.read(e.value())).toList();
    }

    /** The size a batch grows by when this event joins it. */
    public static int sizeInBatch(byte[] value, byte[] hash) {
        return 2 * Integer.BYTES + value.length + hash.length;
    }

    public static int emptyBatchSize() {
        return HEADER_BYTES;
    }

    public static byte[] write(List<Stored> events) {
        if (events.isEmpty()) throw new IllegalArgumentException("an event record holds at least one event");
        int size = HEADER_BYTES + events.stream().mapToInt(e -> sizeInBatch(e.value(), e.hash())).sum();
        ByteBuffer buffer = ByteBuffer.allocate(size).put(MAGIC).put(VERSION).putInt(events.size());
        for (Stored e : events) {
            buffer.putInt(e.value().length).put(e.value()).putInt(e.hash().length).put(e.hash());
        }
        return buffer.array();
    }

    /**
     * The events of one record, in order.
     *
     * @throws LedgerJson.UnreadableException when the record is neither format (the events in it are
     *                                        not decoded here: a reader decodes each on its own)
     */
    public static List<Stored> read(String key, byte[] value, Headers headers) {
        if (value == null || value.length == 0) throw new LedgerJson.UnreadableException("a record without a value", null);
        if (!isBatch(value)) {
            Header hash = headers == null ? null : headers.lastHeader(HashChain.HEADER);
            return List.of(new Stored(key, value, hash == null ? null : hash.value()));
        }
        try {
            ByteBuffer buffer = ByteBuffer.wrap(value);
            buffer.get();
            byte version = buffer.get();
            if (version != VERSION) throw new LedgerJson.UnreadableException("event batch version " + version
                    + " is newer than this reader", null);
            int count = buffer.getInt();
            if (count < 1 || count > value.length) throw new LedgerJson.UnreadableException("an event batch of "
                    + count + " events", null);
            var events = new ArrayList<Stored>(count);
            for (int i = 0; i < count; i++) {
                byte[] envelope = next(buffer);
                byte[] hash = next(buffer);
                events.add(new Stored(null, envelope, hash));
            }
            if (buffer.hasRemaining()) throw new LedgerJson.UnreadableException(buffer.remaining()
                    + " bytes after the last event of a batch", null);
            return events;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new LedgerJson.UnreadableException("a truncated event batch", e);
        }
    }

    private static byte[] next(ByteBuffer buffer) {
        int length = buffer.getInt();
        if (length < 0 || length > buffer.remaining()) throw new IllegalArgumentException("length " + length);
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return bytes;
    }
}
