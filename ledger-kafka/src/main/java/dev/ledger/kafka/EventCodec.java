package dev.ledger.kafka;

/**
 * The stored bytes of one event of {@code ledger.events}: what the command processor writes, what its
 * hash-chain link is computed over, and the one way every reader decodes them. Written as the binary
 * format, {@code 0xF5, version 1, EventEnvelope} ({@link EventProto}); the JSON envelopes written before
 * are read forever (the log is kept forever), upcast as {@link LedgerJson#readEvent} does. The first
 * byte tells the formats apart, so an aggregate's history may begin in JSON and go on in binary, one chain.
 */
public final class EventCodec {
    /** 0xF5 never occurs in UTF-8 text, nor starts JSON in any encoding, nor an event batch (0x00). */
    private static final BinaryHeader BINARY = new BinaryHeader((byte) 0xF5, (byte) 1, "binary event");

    private EventCodec() {
    }

    public static byte[] write(EventEnvelope envelope) {
        return BINARY.prepend(EventProto.write(envelope));
    }

    /**
     * @param stored one event's bytes as stored (a batch's element, or a first-format record's value)
     * @throws LedgerJson.UnreadableException when they are no event this ledger reads, in either format
     */
    public static EventEnvelope read(byte[] stored) {
        if (stored == null) throw new LedgerJson.UnreadableException("an event without bytes", null);
        return isBinary(stored) ? EventProto.read(BINARY.payload(stored)) : LedgerJson.readEvent(stored);
    }

    /**
     * The event id the bytes name, also when they are otherwise unreadable (an unknown type, a missing
     * field), so that a report can point at the event; null when they name none.
     */
    public static String eventIdIn(byte[] stored) {
        if (stored == null) return null;
        try {
            if (isBinary(stored)) return EventProto.eventIdIn(BINARY.payload(stored));
            var id = LedgerJson.MAPPER.readTree(stored).get("eventId");
            return id != null && id.isTextual() ? id.asText() : null;
        } catch (java.io.IOException | RuntimeException noId) {
            return null;
        }
    }

    /** Whether the bytes are of the binary format (else JSON, or nothing this ledger wrote). */
    public static boolean isBinary(byte[] stored) {
        return stored != null && BINARY.starts(stored);
    }
}
