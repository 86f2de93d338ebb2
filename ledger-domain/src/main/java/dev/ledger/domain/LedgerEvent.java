package dev.ledger.domain;

/**
 * A fact that happened to one aggregate, named in the past tense. Immutable once appended.
 * Not sealed: Java allows a sealed hierarchy across packages only inside a named module; each
 * aggregate's own interface is sealed, so every switch stays exhaustive.
 */
public interface LedgerEvent {
    String aggregateId();
}
