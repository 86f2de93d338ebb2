package dev.ledger.kafka;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the binary reader checks of every message before it builds a domain record from it, by the
 * rules the JSON reader applies: a field absent on the wire is refused unless {@link RequiredFields}
 * calls it optional (a primitive is never read as zero), and a currency, timestamp or enum value
 * must be one this ledger knows. Every refusal is an {@link LedgerJson.UnreadableException}.
 */
final class ProtoFields {
    private ProtoFields() {
    }

    /** A field that must be present, and its message's own {@code hasX()} method. */
    private record Required(String jsonName, MethodHandle has) {
    }

    /**
     * The required fields of each message class, by the domain record it becomes: worked out once.
     * Every read checks them, and asking {@code Message.hasField} goes through reflection with an
     * access check each time (3% of the ledger's CPU in a profile of the single scenario); the
     * generated {@code hasX()} methods through a method handle cost next to nothing.
     */
    private static final ClassValue<Map<Class<?>, List<Required>>> REQUIRED = new ClassValue<>() {
        @Override
        protected Map<Class<?>, List<Required>> computeValue(Class<?> messageType) {
            return new ConcurrentHashMap<>();
        }
    };

    /**
     * @param recordType the domain record the message becomes; its component names are the fields'
     *                   JSON names (lowerCamelCase), so one list of optional components serves both formats
     */
    static void requirePresent(Message message, Class<?> recordType) {
        List<Required> required = REQUIRED.get(message.getClass())
                .computeIfAbsent(recordType, type -> requiredFields(message, type));
        for (Required field : required) {
            if (!has(field, message)) {
                throw unreadable(recordType.getSimpleName() + " lacks required field '" + field.jsonName() + "'");
            }
        }
    }

    private static List<Required> requiredFields(Message message, Class<?> recordType) {
        var required = new ArrayList<Required>();
        for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
            // maps and lists cannot be absent; a oneof's member is checked by its reader
            if (field.isRepeated() || field.getRealContainingOneof() != null) continue;
            if (RequiredFields.isOptional(recordType, field.getJsonName())) continue;
            required.add(new Required(field.getJsonName(), hasMethod(message.getClass(), field)));
        }
        return List.copyOf(required);
    }

    /** The generated {@code hasFooBar()} of field {@code foo_bar} (every singular field has explicit presence). */
    private static MethodHandle hasMethod(Class<?> messageType, FieldDescriptor field) {
        String json = field.getJsonName();
        String name = "has" + Character.toUpperCase(json.charAt(0)) + json.substring(1);
        try {
            return MethodHandles.publicLookup().findVirtual(messageType, name, MethodType.methodType(boolean.class))
                    .asType(MethodType.methodType(boolean.class, Message.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException(messageType.getName() + " has no " + name + "() for its field " + field.getName(), e);
        }
    }

    private static boolean has(Required field, Message message) {
        try {
            return (boolean) field.has().invokeExact(message);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot ask " + message.getClass().getName() + " for " + field.jsonName(), e);
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
