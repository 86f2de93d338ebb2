package dev.ledger.api;

import java.util.Arrays;
import java.util.List;

/**
 * A parsed value, or every reason it could not be parsed: a client fixes a request in one round
 * trip, not one field at a time.
 */
record Validated<T>(T value, List<FieldError> errors) {

    Validated {
        errors = List.copyOf(errors);
        if (errors.isEmpty() && value == null) throw new IllegalArgumentException("a valid result needs a value");
    }

    static <T> Validated<T> ok(T value) {
        return new Validated<>(value, List.of());
    }

    static <T> Validated<T> invalid(List<FieldError> errors) {
        if (errors.isEmpty()) throw new IllegalArgumentException("an invalid result needs a reason");
        return new Validated<>(null, errors);
    }

    static <T> Validated<T> invalid(String field, String reason) {
        return invalid(List.of(new FieldError(field, reason)));
    }

    boolean isValid() {
        return errors.isEmpty();
    }

    /** The errors of several independent parts of one request, in order. */
    static List<FieldError> errorsOf(Validated<?>... parts) {
        return Arrays.stream(parts).flatMap(p -> p.errors().stream()).toList();
    }
}
