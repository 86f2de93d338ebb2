package dev.ledger.kafka;

import dev.ledger.domain.SagaSteps;

import java.util.function.BiFunction;

/**
 * What a writer of {@code ledger.events} keeps per aggregate: the folded domain state, the hash
 * that the next event's chain link starts from, and for a transfer the client command that
 * started it (its final outcome answers that command).
 */
public record Aggregate<S>(S state, byte[] lastHash, String originCommandId) {
    /** An aggregate that has no event yet. */
    public static <S> Aggregate<S> absent(S initial) {
        return new Aggregate<>(initial, HashChain.GENESIS, null);
    }

    /**
     * This aggregate after one more of its events. The one fold of the writer's state: the engine
     * applies it to each event it decides, the command processor's restore to each event it reads back
     * from the log, so the two cannot drift. The origin is the client command of the first event no
     * saga step wrote (opening an account, initiating a transfer); a step never becomes it.
     *
     * @param hash the event's hash-chain link
     */
    public <E> Aggregate<S> then(EventEnvelope envelope, E event, BiFunction<S, E, S> evolve, byte[] hash) {
        String origin = originCommandId != null || SagaSteps.writtenByStep(envelope.event())
                ? originCommandId : envelope.commandId();
        return new Aggregate<>(evolve.apply(state, event), hash, origin);
    }
}
