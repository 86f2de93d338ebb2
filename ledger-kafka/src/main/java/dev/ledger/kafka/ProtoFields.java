package dev.ledger.kafka;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.Currency;

/**
 * What the binary reader checks of every message before it builds a domain record from it, by the
 * rules the JSON reader applies: a field absent on the wire is refused unless {@link RequiredFields}
 * calls it optional (a primitive is never read as zero), and a currency, timestamp or enum value
 * must be one this ledger knows. Every refusal is an {@link LedgerJson.UnreadableException}.
 */
final class ProtoFields {
    private ProtoFields() {
    }

    /**
     * @param recordType the domain record the message becomes; its component names are the fields'
     *                   JSON names (lowerCamelCase), so one list of optional components serves both formats
     */
    static void requirePresent(Message message, Class<?> recordType) {
        for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
            // maps and lists cannot be absent; a oneof's member is checked by its reader
            if (field.isRepeated() || field.getRealContainingOneof() != null) continue;
            if (!message.hasField(field) && !RequiredFields.isOptional(recordType, field.getJsonName())) {
                throw unreadable(recordType.getSimpleName() + " lacks required field '" + field.getJsonName() + "'");
            }
        }
    }

    static Currency currency(String code) {
        try {
            return Currency.getInstance(code);
        } catch (IllegalArgumentException e) {
            throw unreadable("unknown currency '" + code + "'");
        }
    }

    /** The Instant itself, seconds and nanoseconds exactly: a timestamp outside Instant's range or with nanos out of [0, 1e9) is refused. */
    static Instant instant(Timestamp timestamp, String field) {
        try {
            if (timestamp.getNanos() < 0 || timestamp.getNanos() > 999_999_999) throw new DateTimeException("nanos");
            return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
        } catch (DateTimeException e) {
            throw unreadable("invalid timestamp '" + field + "': " + timestamp.getSeconds() + " s " + timestamp.getNanos() + " ns");
        }
    }

    static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    /**
     * The domain's enum value of the same name. The wire's 0 (unspecified, never written) and numbers
     * this build does not know (read as UNRECOGNIZED) have none, and are refused.
     */
    static <E extends Enum<E>> E sameName(Class<E> domain, Enum<?> wire, String field) {
        try {
            return Enum.valueOf(domain, wire.name());
        } catch (IllegalArgumentException unknown) {
            throw unreadable("unknown " + field + " " + wire.name());
        }
    }

    static LedgerJson.UnreadableException unreadable(String reason) {
        return new LedgerJson.UnreadableException(reason, null);
    }

    static LedgerJson.UnreadableException malformed(String what, InvalidProtocolBufferException e) {
        return new LedgerJson.UnreadableException("malformed " + what + ": " + e.getMessage(), e);
    }
}
