package dev.ledger.kafka;

import dev.ledger.domain.transfer.TransferRequest;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Set;

/**
 * Jackson binds a missing JSON field to null; in an event or command every field is required but
 * the few named here, so a null means the record is unreadable, not that the value is "nothing".
 * The binary reader ({@link ProtoFields}) asks the same question of a field absent on the wire.
 * The components of each record type are looked up once and cached: reflecting them on every read
 * cost more than the whole JSON parse (the audit replays millions of events).
 */
final class RequiredFields {
    /**
     * Record components that may be absent: the free-text reference of a transfer, in the request and
     * its event; a step's origin command (steps written before it existed have none); an outcome's reason.
     */
    private static final Set<String> OPTIONAL = Set.of(TransferRequest.class.getName() + ".reference",
            dev.ledger.domain.transfer.TransferEvent.TransferInitiated.class.getName() + ".reference",
            CommandEnvelope.class.getName() + ".originCommandId",
            dev.ledger.domain.Outcome.class.getName() + ".reason");

    private record Component(String name, Method accessor, boolean optional) {
    }

    private static final ClassValue<Component[]> COMPONENTS = new ClassValue<>() {
        @Override
        protected Component[] computeValue(Class<?> type) {
            RecordComponent[] components = type.getRecordComponents();
            Component[] result = new Component[components.length];
            for (int i = 0; i < components.length; i++) {
                String name = components[i].getName();
                result[i] = new Component(name, components[i].getAccessor(), isOptional(type, name));
            }
            return result;
        }
    };

    private RequiredFields() {
    }

    static boolean isOptional(Class<?> recordType, String component) {
        return OPTIONAL.contains(recordType.getName() + "." + component);
    }

    static void check(Object value) {
        if (!value.getClass().isRecord()) return;
        for (Component component : COMPONENTS.get(value.getClass())) {
            Object field = read(component, value);
            if (field == null && !component.optional()) {
                throw new LedgerJson.UnreadableException(
                        value.getClass().getSimpleName() + " lacks required field '" + component.name() + "'", null);
            }
            if (field != null && field.getClass().isRecord()) check(field);
        }
    }

    private static Object read(Component component, Object record) {
        try {
            return component.accessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + component.name(), e);
        }
    }
}
