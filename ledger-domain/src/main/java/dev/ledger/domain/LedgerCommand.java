package dev.ledger.domain;

/**
 * A request to change one aggregate, named in the imperative. Keyed by the aggregate it addresses.
 * Not sealed: Java allows a sealed hierarchy across packages only inside a named module; each
 * aggregate's own interface is sealed, so every switch stays exhaustive.
 */
public interface LedgerCommand {
    String aggregateId();
}
