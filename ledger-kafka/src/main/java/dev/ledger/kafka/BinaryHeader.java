package dev.ledger.kafka;

import java.util.Arrays;

/**
 * The two bytes that start a binary record of {@code ledger.commands} or {@code ledger.results}, or a
 * binary event of {@code ledger.events}: a magic byte, then the format version; the Protocol Buffers
 * message follows. A magic byte is never
 * the first byte of JSON in any encoding a JSON reader detects (UTF-8, with or without its byte order
 * mark, UTF-16 or UTF-32: JSON starts with whitespace, a value, 0x00 or a byte order mark), nor of an
 * event batch (0x00), so the first byte tells the formats apart.
 *
 * @param magic   0xC1 for commands, 0xC0 for results, 0xF5 for events: bytes that never occur in UTF-8 text at all
 * @param version the format version this build writes, and the newest it reads
 * @param what    what the records hold, for the reasons a reader gives
 */
record BinaryHeader(byte magic, byte version, String what) {
    static final int BYTES = 2;

    boolean starts(byte[] value) {
        return value.length > 0 && value[0] == magic;
    }

    /** The message after the header; a version newer than this build's is refused, never misread. */
    byte[] payload(byte[] value) {
        if (value.length < BYTES) throw ProtoFields.unreadable("a " + what + " record of " + value.length + " byte");
        if (value[1] != version) {
            throw ProtoFields.unreadable(what + " record format version " + (value[1] & 0xff)
                    + (Byte.toUnsignedInt(value[1]) > version ? ", newer than this ledger reads" : ", not one this ledger wrote"));
        }
        return Arrays.copyOfRange(value, BYTES, value.length);
    }

    byte[] prepend(byte[] message) {
        byte[] record = new byte[BYTES + message.length];
        record[0] = magic;
        record[1] = version;
        System.arraycopy(message, 0, record, BYTES, message.length);
        return record;
    }
}
