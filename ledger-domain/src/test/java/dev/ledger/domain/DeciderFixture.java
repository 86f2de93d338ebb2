package dev.ledger.domain;

import dev.ledger.domain.account.AccountCommand;
import dev.ledger.domain.account.AccountDecider;
import dev.ledger.domain.account.AccountEvent;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.transfer.TransferCommand;
import dev.ledger.domain.transfer.TransferDecider;
import dev.ledger.domain.transfer.TransferEvent;
import dev.ledger.domain.transfer.TransferState;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Given these events, when this command, then these events, follow-ups and outcome. The events a
 * decision appends are folded too, so a decided event that its own aggregate cannot apply fails here.
 */
public final class DeciderFixture<C, E extends LedgerEvent, S> {

    private final BiFunction<C, S, Decision<E>> decide;
    private final BiFunction<S, E, S> evolve;
    private final S initial;

    private S state;
    private Decision<E> decision;
    private S stateAfter;

    private DeciderFixture(BiFunction<C, S, Decision<E>> decide, BiFunction<S, E, S> evolve, S initial) {
        this.decide = decide;
        this.evolve = evolve;
        this.initial = initial;
        this.state = initial;
    }

    public static DeciderFixture<AccountCommand, AccountEvent, AccountState> accounts() {
        return new DeciderFixture<>(AccountDecider::decide, AccountDecider::evolve, AccountDecider.INITIAL);
    }

    public static DeciderFixture<TransferCommand, TransferEvent, TransferState> transfers() {
        return new DeciderFixture<>(TransferDecider::decide, TransferDecider::evolve, TransferDecider.INITIAL);
    }

    @SafeVarargs
    public final DeciderFixture<C, E, S> given(E... history) {
        state = fold(initial, List.of(history));
        return this;
    }

    public DeciderFixture<C, E, S> when(C command) {
        decision = decide.apply(command, state);
        stateAfter = fold(state, decision.events());
        return this;
    }

    @SafeVarargs
    public final DeciderFixture<C, E, S> thenEvents(E... expected) {
        assertThat(decision().events()).as("events").containsExactly(expected);
        return this;
    }

    public DeciderFixture<C, E, S> thenFollowUps(LedgerCommand... expected) {
        assertThat(decision().followUps()).as("follow-up commands").containsExactly(expected);
        return this;
    }

    public DeciderFixture<C, E, S> thenOutcome(Outcome expected) {
        assertThat(decision().outcome()).as("outcome").contains(expected);
        return this;
    }

    public DeciderFixture<C, E, S> thenNoOutcome() {
        assertThat(decision().outcome()).as("outcome").isEmpty();
        return this;
    }

    /** The step was applied already: no event, no follow-up, no answer. */
    public DeciderFixture<C, E, S> thenNothing() {
        assertThat(decision()).isEqualTo(Decision.nothing());
        return this;
    }

    public DeciderFixture<C, E, S> thenState(Consumer<S> requirements) {
        decision();
        requirements.accept(stateAfter);
        return this;
    }

    /** The state the given events fold to. */
    public S givenState() {
        return state;
    }

    private Decision<E> decision() {
        assertThat(decision).as("when(command) was called").isNotNull();
        return decision;
    }

    private S fold(S from, List<E> events) {
        S folded = from;
        for (E event : events) {
            folded = evolve.apply(folded, event);
        }
        return folded;
    }
}
