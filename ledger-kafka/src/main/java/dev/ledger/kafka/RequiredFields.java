package dev.ledger.kafka;

import dev.ledger.domain.transfer.TransferRequest;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Set;

/**
 * Jackson binds a missing JSON field to null; in an event or command every field is required but
 * the few named here, so a null means the record is unreadable, not that the value is "nothing".
 */
final class RequiredFields {
    /** Record components that may be absent: the free-text reference of a transfer, in the request and its event. */
    private static final Set<String> OPTIONAL = Set.of(TransferRequest.class.getName() + ".reference",
            dev.ledger.domain.transfer.TransferEvent.TransferInitiated.class.getName() + ".reference");

    private RequiredFields() {
    }

    static void check(Object value) {
        if (!value.getClass().isRecord()) return;
        for (RecordComponent component : value.getClass().getRecordComponents()) {
            Object field = read(component, value);
            if (field == null && !OPTIONAL.contains(value.getClass().getName() + "." + component.getName())) {
                throw new LedgerJson.UnreadableException(
                        value.getClass().getSimpleName() + " lacks required field '" + component.getName() + "'", null);
            }
            if (field != null && field.getClass().isRecord()) check(field);
        }
    }

    private static Object read(RecordComponent component, Object record) {
        try {
            return component.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + component, e);
        }
    }
}
