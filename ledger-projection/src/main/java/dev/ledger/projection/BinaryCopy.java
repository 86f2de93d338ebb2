package dev.ledger.projection;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;

/**
 * Rows for {@code COPY table (columns) FROM STDIN (FORMAT binary)}, PostgreSQL's bulk load: the rows go
 * to the server as their binary values, which it stores without parsing a text form or running a
 * statement per row, and this side builds no array of strings or timestamp texts for them (BENCHMARKS.md,
 * "The projection's inserts as binary COPY", measures it against {@code INSERT ... SELECT FROM unnest}).
 * COPY has no {@code ON CONFLICT}: only rows that cannot be in the table yet are copied.
 *
 * <p>PostgreSQL's binary COPY format: a fixed header, then per row a
 * 16-bit field count and per field a 32-bit length (-1 for NULL) and its bytes, big-endian; a 16-bit -1
 * ends the data. Each value is in its type's binary form: {@code int8} 8 bytes, {@code text} and
 * {@code char(n)} UTF-8, {@code jsonb} a version byte 1 and the JSON text, {@code timestamptz} the
 * microseconds since 2000-01-01 UTC. PostgreSQL checks every value as it would the text form (UTF-8, no
 * NUL, a {@code char(3)} of at most 3, JSON syntax, a timestamp in range) and refuses the whole COPY if one
 * fails, so a refused row fails its batch exactly as a refused INSERT did.
 */
final class BinaryCopy {
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0,
            0, 0, 0, 0, // flags: no OIDs
            0, 0, 0, 0}; // header extension length
    private static final byte JSONB_VERSION = 1;
    /** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in seconds since 1970. */
    private static final long POSTGRES_EPOCH_SECOND = 946_684_800L;
    /** PostgreSQL's timestamptz range (4714-11-24 BC to 294276 AD), in microseconds since its epoch. */
    private static final long MIN_MICROS = -211_813_488_000_000_000L;
    private static final long END_MICROS = 9_223_371_331_200_000_000L;
    /** SQLSTATE datetime_field_overflow, as PostgreSQL answers a timestamp out of its range. */
    private static final String DATETIME_FIELD_OVERFLOW = "22008";

    private final short fieldsPerRow;
    private byte[] buffer = new byte[64 * 1024];
    private int length;

    BinaryCopy(int fieldsPerRow) {
        this.fieldsPerRow = (short) fieldsPerRow;
        put(HEADER);
    }

    /** Starts the next row; its {@code fieldsPerRow} values follow, in the COPY's column order. */
    BinaryCopy row() {
        ensure(2);
        putShort(fieldsPerRow);
        return this;
    }

    BinaryCopy int8(long value) {
        ensure(12);
        putInt(8);
        putLong(value);
        return this;
    }

    /** A {@code text} or {@code char(n)} value; null is SQL NULL. */
    BinaryCopy text(String value) {
        if (value == null) return nullValue();
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        ensure(4 + utf8.length);
        putInt(utf8.length);
        put(utf8);
        return this;
    }

    BinaryCopy jsonb(String json) {
        byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
        ensure(5 + utf8.length);
        putInt(1 + utf8.length);
        buffer[length++] = JSONB_VERSION;
        put(utf8);
        return this;
    }

    /**
     * A {@code timestamptz}; null is SQL NULL. Nanoseconds are rounded to the microsecond half to even, as
     * PostgreSQL rounds the text form's fraction.
     *
     * @throws SQLException (22008) beyond PostgreSQL's range, as the server refuses it
     */
    BinaryCopy timestamptz(Instant value) throws SQLException {
        if (value == null) return nullValue();
        ensure(12);
        putInt(8);
        putLong(postgresMicros(value));
        return this;
    }

    /** Sends the rows as {@code copySql} ({@code COPY ... FROM STDIN (FORMAT binary)}) in the connection's transaction. */
    void copyInto(Connection connection, String copySql) throws SQLException {
        ensure(2);
        putShort((short) -1);
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
        try {
            copy.writeToCopy(buffer, 0, length);
            copy.endCopy();
        } finally {
            if (copy.isActive()) copy.cancelCopy();
        }
    }

    static long postgresMicros(Instant at) throws SQLException {
        long seconds = at.getEpochSecond() - POSTGRES_EPOCH_SECOND;
        long micros = at.getNano() / 1_000;
        int belowMicro = at.getNano() % 1_000;
        if (belowMicro > 500 || (belowMicro == 500 && (micros & 1) == 1)) micros++;
        long total;
        try {
            total = Math.addExact(Math.multiplyExact(seconds, 1_000_000L), micros);
        } catch (ArithmeticException beyondLong) {
            throw outOfRange(at);
        }
        if (total < MIN_MICROS || total >= END_MICROS) throw outOfRange(at);
        return total;
    }

    private static SQLException outOfRange(Instant at) {
        return new SQLException("timestamp out of range: " + at, DATETIME_FIELD_OVERFLOW);
    }

    private BinaryCopy nullValue() {
        ensure(4);
        putInt(-1);
        return this;
    }

    private void ensure(int more) {
        if (length + more > buffer.length) buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
    }

    private void put(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buffer, length, bytes.length);
        length += bytes.length;
    }

    private void putShort(short value) {
        buffer[length++] = (byte) (value >>> 8);
        buffer[length++] = (byte) value;
    }

    private void putInt(int value) {
        buffer[length++] = (byte) (value >>> 24);
        buffer[length++] = (byte) (value >>> 16);
        buffer[length++] = (byte) (value >>> 8);
        buffer[length++] = (byte) value;
    }

    private void putLong(long value) {
        putInt((int) (value >>> 32));
        putInt((int) value);
    }
}
