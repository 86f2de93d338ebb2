package dev.ledger.domain;

import java.util.List;
import java.util.Optional;

/**
 * What an aggregate decided about one command: the events it appends to its own history, the
 * commands it sends to other aggregates (the saga's next hops), and the answer for the caller if
 * one is certain now. An empty decision is a duplicate step, already applied.
 */
public record Decision<E extends LedgerEvent>(List<E> events, List<LedgerCommand> followUps, Optional<Outcome> outcome) {

    public Decision {
        events = List.copyOf(events);
        followUps = List.copyOf(followUps);
    }

    public static <E extends LedgerEvent> Decision<E> nothing() {
        return new Decision<>(List.of(), List.of(), Optional.empty());
    }

    public static <E extends LedgerEvent> Decision<E> answer(Outcome outcome) {
        return new Decision<>(List.of(), List.of(), Optional.of(outcome));
    }

    public static <E extends LedgerEvent> Decision<E> send(LedgerCommand followUp) {
        return new Decision<>(List.of(), List.of(followUp), Optional.empty());
    }

    public static <E extends LedgerEvent> Decision<E> append(E event, LedgerCommand followUp) {
        return new Decision<>(List.of(event), List.of(followUp), Optional.empty());
    }

    public static <E extends LedgerEvent> Decision<E> append(E event, Outcome outcome) {
        return new Decision<>(List.of(event), List.of(), Optional.of(outcome));
    }
}
