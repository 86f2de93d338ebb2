package dev.ledger.api;

/** One invalid part of a request: the field (or header, or query parameter) and what is wrong with it. */
public record FieldError(String field, String reason) {
}
