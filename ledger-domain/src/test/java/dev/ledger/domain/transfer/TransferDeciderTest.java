package dev.ledger.domain.transfer;

import dev.ledger.domain.DeciderFixture;
import dev.ledger.domain.Outcome;
import dev.ledger.domain.Outcome.Status;
import dev.ledger.domain.Reason;
import dev.ledger.domain.account.AccountCommand.ReserveFunds;
import dev.ledger.domain.transfer.TransferCommand.CompleteTransfer;
import dev.ledger.domain.transfer.TransferCommand.InitiateTransfer;
import dev.ledger.domain.transfer.TransferCommand.RejectTransfer;
import dev.ledger.domain.transfer.TransferEvent.TransferCompleted;
import dev.ledger.domain.transfer.TransferEvent.TransferInitiated;
import dev.ledger.domain.transfer.TransferEvent.TransferRejected;
import dev.ledger.domain.transfer.TransferState.Completed;
import dev.ledger.domain.transfer.TransferState.InFlight;
import dev.ledger.domain.transfer.TransferState.Rejected;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class TransferDeciderTest {

    private static final Currency EUR = Currency.getInstance("EUR");
    private static final String T1 = "t-1";
    private static final TransferRequest REQUEST =
            new TransferRequest(T1, "alice", "bob", 2500, EUR, "invoice 42", Map.of("order", "o-9"));
    private static final TransferInitiated INITIATED =
            new TransferInitiated(T1, "alice", "bob", 2500, EUR, "invoice 42", Map.of("order", "o-9"));
    private static final TransferCompleted COMPLETED = new TransferCompleted(T1, 4, 7);
    private static final TransferRejected REJECTED =
            new TransferRejected(T1, Reason.ACCOUNT_CLOSED, Map.of("alice", 5L));

    private DeciderFixture<TransferCommand, TransferEvent, TransferState> fixture;

    @BeforeEach
    void newFixture() {
        fixture = DeciderFixture.transfers();
    }

    @Nested
    final class Initiating {

        @Test
        void initiating_a_new_transfer_records_it_and_asks_the_debit_account_to_reserve() {
            fixture.given()
                    .when(new InitiateTransfer(REQUEST))
                    .thenEvents(INITIATED)
                    .thenFollowUps(new ReserveFunds("alice", T1, 2500, EUR, "bob"))
                    .thenNoOutcome()
                    .thenState(state -> assertThat(state).isEqualTo(new InFlight(REQUEST, 1)));
        }

        @Test
        void initiating_a_transfer_without_a_reference_is_recorded_without_one() {
            TransferRequest bare = new TransferRequest(T1, "alice", "bob", 1, EUR, null, Map.of());
            fixture.given()
                    .when(new InitiateTransfer(bare))
                    .thenEvents(new TransferInitiated(T1, "alice", "bob", 1, EUR, null, Map.of()));
        }

        @Test
        void initiating_again_while_in_flight_replays_in_flight_without_a_new_event() {
            fixture.given(INITIATED)
                    .when(new InitiateTransfer(REQUEST))
                    .thenEvents()
                    .thenFollowUps()
                    .thenOutcome(new Outcome(Status.IN_FLIGHT, null, Map.of(), true));
        }

        @Test
        void initiating_again_after_completion_replays_completed_with_the_position() {
            fixture.given(INITIATED, COMPLETED)
                    .when(new InitiateTransfer(REQUEST))
                    .thenEvents()
                    .thenFollowUps()
                    .thenOutcome(Outcome.of(Status.COMPLETED, Map.of("alice", 4L, "bob", 7L)).asReplay());
        }

        @Test
        void initiating_again_after_rejection_replays_rejected_with_the_reason_and_the_position() {
            fixture.given(INITIATED, REJECTED)
                    .when(new InitiateTransfer(REQUEST))
                    .thenEvents()
                    .thenFollowUps()
                    .thenOutcome(Outcome.rejected(Reason.ACCOUNT_CLOSED, Map.of("alice", 5L)).asReplay());
        }

        static Stream<List<TransferEvent>> everyKnownState() {
            return Stream.of(List.of(INITIATED), List.of(INITIATED, COMPLETED), List.of(INITIATED, REJECTED));
        }

        @ParameterizedTest
        @MethodSource("everyKnownState")
        void initiating_the_same_id_with_another_body_is_a_conflict(List<TransferEvent> history) {
            TransferRequest other = new TransferRequest(T1, "alice", "bob", 2501, EUR, "invoice 42", Map.of("order", "o-9"));
            fixture.given(history.toArray(TransferEvent[]::new))
                    .when(new InitiateTransfer(other))
                    .thenEvents()
                    .thenFollowUps()
                    .thenOutcome(Outcome.conflict());
        }

        @Test
        void a_body_differing_only_in_metadata_or_reference_is_a_conflict_too() {
            fixture.given(INITIATED)
                    .when(new InitiateTransfer(new TransferRequest(T1, "alice", "bob", 2500, EUR, "invoice 42", Map.of())))
                    .thenOutcome(Outcome.conflict());
            fixture.given(INITIATED)
                    .when(new InitiateTransfer(new TransferRequest(T1, "alice", "bob", 2500, EUR, null, Map.of("order", "o-9"))))
                    .thenOutcome(Outcome.conflict());
        }
    }

    @Nested
    final class Completing {

        @Test
        void completing_an_in_flight_transfer_records_it_and_answers_completed_with_both_account_seqs() {
            fixture.given(INITIATED)
                    .when(new CompleteTransfer(T1, 4, 7))
                    .thenEvents(COMPLETED)
                    .thenFollowUps()
                    .thenOutcome(Outcome.of(Status.COMPLETED, Map.of("alice", 4L, "bob", 7L)))
                    .thenState(state -> assertThat(state)
                            .isEqualTo(new Completed(REQUEST, Map.of("alice", 4L, "bob", 7L), 2)));
        }

        /** The API refuses such a transfer; the domain must still not crash on one that gets here. */
        @Test
        void completing_a_transfer_from_an_account_to_itself_names_its_later_seq() {
            TransferInitiated toItself = new TransferInitiated(T1, "alice", "alice", 1, EUR, null, Map.of());
            fixture.given(toItself)
                    .when(new CompleteTransfer(T1, 4, 3))
                    .thenEvents(new TransferCompleted(T1, 4, 3))
                    .thenOutcome(Outcome.of(Status.COMPLETED, Map.of("alice", 4L)));
        }

        @Test
        void completing_a_completed_transfer_does_nothing() {
            fixture.given(INITIATED, COMPLETED).when(new CompleteTransfer(T1, 4, 7)).thenNothing();
        }

        @Test
        void completing_a_rejected_transfer_does_nothing() {
            fixture.given(INITIATED, REJECTED).when(new CompleteTransfer(T1, 4, 7)).thenNothing();
        }

        @Test
        void completing_an_unknown_transfer_does_nothing() {
            fixture.given().when(new CompleteTransfer(T1, 4, 7)).thenNothing();
        }
    }

    @Nested
    final class Rejecting {

        @Test
        void rejecting_an_in_flight_transfer_records_the_reason_and_answers_rejected_with_the_accounts_touched() {
            fixture.given(INITIATED)
                    .when(new RejectTransfer(T1, Reason.ACCOUNT_CLOSED, Map.of("alice", 5L)))
                    .thenEvents(REJECTED)
                    .thenFollowUps()
                    .thenOutcome(Outcome.rejected(Reason.ACCOUNT_CLOSED, Map.of("alice", 5L)))
                    .thenState(state -> assertThat(state)
                            .isEqualTo(new Rejected(REQUEST, Reason.ACCOUNT_CLOSED, Map.of("alice", 5L), 2)));
        }

        @Test
        void a_reservation_refused_touches_no_account_so_the_rejection_names_none() {
            fixture.given(INITIATED)
                    .when(new RejectTransfer(T1, Reason.INSUFFICIENT_FUNDS, Map.of()))
                    .thenEvents(new TransferRejected(T1, Reason.INSUFFICIENT_FUNDS, Map.of()))
                    .thenOutcome(Outcome.rejected(Reason.INSUFFICIENT_FUNDS, Map.of()));
        }

        @Test
        void rejecting_a_rejected_transfer_does_nothing() {
            fixture.given(INITIATED, REJECTED)
                    .when(new RejectTransfer(T1, Reason.OVERFLOW, Map.of("alice", 6L)))
                    .thenNothing();
        }

        @Test
        void rejecting_a_completed_transfer_does_nothing() {
            fixture.given(INITIATED, COMPLETED)
                    .when(new RejectTransfer(T1, Reason.OVERFLOW, Map.of()))
                    .thenNothing();
        }

        @Test
        void rejecting_an_unknown_transfer_does_nothing() {
            fixture.given().when(new RejectTransfer(T1, Reason.OVERFLOW, Map.of())).thenNothing();
        }
    }

    @Nested
    final class Evolving {

        @Test
        void a_final_event_of_a_transfer_never_initiated_is_an_error_not_a_silent_skip() {
            assertThatThrownBy(() -> TransferDecider.evolve(TransferDecider.INITIAL, COMPLETED))
                    .isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> TransferDecider.evolve(TransferDecider.INITIAL, REJECTED))
                    .isInstanceOf(IllegalStateException.class);
        }

        @Test
        void a_second_final_event_is_an_error() {
            TransferState completed = fixture.given(INITIATED, COMPLETED).givenState();
            assertThatThrownBy(() -> TransferDecider.evolve(completed, REJECTED))
                    .isInstanceOf(IllegalStateException.class);
        }
    }
}
