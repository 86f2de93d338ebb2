package dev.ledger.domain.account;

import dev.ledger.domain.DeciderFixture;
import dev.ledger.domain.Money;
import dev.ledger.domain.Outcome;
import dev.ledger.domain.Outcome.Status;
import dev.ledger.domain.Reason;
import dev.ledger.domain.account.AccountCommand.CaptureReservation;
import dev.ledger.domain.account.AccountCommand.CloseAccount;
import dev.ledger.domain.account.AccountCommand.CreditAccount;
import dev.ledger.domain.account.AccountCommand.OpenAccount;
import dev.ledger.domain.account.AccountCommand.ReleaseReservation;
import dev.ledger.domain.account.AccountCommand.ReserveFunds;
import dev.ledger.domain.account.AccountEvent.AccountClosed;
import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.domain.account.AccountEvent.AccountOpened;
import dev.ledger.domain.account.AccountEvent.FundsReserved;
import dev.ledger.domain.account.AccountEvent.ReservationCaptured;
import dev.ledger.domain.account.AccountEvent.ReservationReleased;
import dev.ledger.domain.account.AccountState.Open;
import dev.ledger.domain.transfer.TransferCommand.CompleteTransfer;
import dev.ledger.domain.transfer.TransferCommand.RejectTransfer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Currency;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class AccountDeciderTest {

    private static final Currency EUR = Currency.getInstance("EUR");
    private static final Currency USD = Currency.getInstance("USD");
    private static final String ALICE = "alice";
    private static final String BOB = "bob";
    private static final String T1 = "t-1";
    private static final Map<String, String> METADATA = Map.of("customer", "c-17");

    private static final OpenAccount OPEN_ALICE = new OpenAccount(ALICE, EUR, 0, false, METADATA);
    private static final AccountOpened ALICE_OPENED = new AccountOpened(ALICE, EUR, 0, false, METADATA);

    private DeciderFixture<AccountCommand, AccountEvent, AccountState> fixture;

    @BeforeEach
    void newFixture() {
        fixture = DeciderFixture.accounts();
    }

    private static AccountOpened opened(String accountId, long overdraftLimit) {
        return new AccountOpened(accountId, EUR, overdraftLimit, false, Map.of());
    }

    private static AccountOpened settlementOpened(String accountId) {
        return new AccountOpened(accountId, EUR, 0, true, Map.of());
    }

    private static AccountCredited funded(String accountId, String transferId, long amount) {
        return new AccountCredited(accountId, transferId, amount, "bank");
    }

    private static ReserveFunds reserve(long amount) {
        return new ReserveFunds(ALICE, T1, amount, EUR, BOB);
    }

    private static CreditAccount credit(long amount) {
        return new CreditAccount(BOB, T1, amount, EUR, ALICE, 3);
    }

    private static RejectTransfer rejection(Reason reason) {
        return new RejectTransfer(T1, reason, Map.of());
    }

    private static ReleaseReservation release(Reason reason) {
        return new ReleaseReservation(ALICE, T1, reason);
    }

    private static Open open(AccountState state) {
        assertThat(state).isInstanceOf(Open.class);
        return (Open) state;
    }

    @Nested
    final class Opening {

        @Test
        void opening_a_new_account_records_it_and_answers_opened_at_seq_1() {
            fixture.given()
                    .when(OPEN_ALICE)
                    .thenEvents(ALICE_OPENED)
                    .thenFollowUps()
                    .thenOutcome(Outcome.of(Status.OPENED, Map.of(ALICE, 1L)))
                    .thenState(state -> {
                        assertThat(open(state).balances()).isEqualTo(Balances.ZERO);
                        assertThat(open(state).profile())
                                .isEqualTo(new AccountProfile(ALICE, EUR, 0, false, METADATA));
                        assertThat(state.version()).isEqualTo(1);
                    });
        }

        @Test
        void opening_again_with_the_same_attributes_replays_opened_without_a_new_event() {
            fixture.given(ALICE_OPENED, funded(ALICE, "t-0", 100))
                    .when(OPEN_ALICE)
                    .thenEvents()
                    .thenFollowUps()
                    .thenOutcome(Outcome.of(Status.OPENED, Map.of(ALICE, 1L)).asReplay());
        }

        static Stream<OpenAccount> otherAttributes() {
            return Stream.of(
                    new OpenAccount(ALICE, USD, 0, false, METADATA),
                    new OpenAccount(ALICE, EUR, 1, false, METADATA),
                    new OpenAccount(ALICE, EUR, 0, true, METADATA),
                    new OpenAccount(ALICE, EUR, 0, false, Map.of()),
                    new OpenAccount(ALICE, EUR, 0, false, Map.of("customer", "c-18")));
        }

        @ParameterizedTest
        @MethodSource("otherAttributes")
        void opening_an_existing_id_with_other_attributes_is_a_conflict(OpenAccount other) {
            fixture.given(ALICE_OPENED)
                    .when(other)
                    .thenEvents()
                    .thenFollowUps()
                    .thenOutcome(Outcome.conflict());
        }

        @Test
        void opening_a_closed_account_again_with_the_same_attributes_replays_opened() {
            fixture.given(ALICE_OPENED, new AccountClosed(ALICE))
                    .when(OPEN_ALICE)
                    .thenEvents()
                    .thenOutcome(Outcome.of(Status.OPENED, Map.of(ALICE, 1L)).asReplay())
                    .thenState(state -> assertThat(state).isInstanceOf(AccountState.Closed.class));
        }

        @ParameterizedTest
        @MethodSource("otherAttributes")
        void opening_a_closed_account_again_with_other_attributes_is_a_conflict(OpenAccount other) {
            fixture.given(ALICE_OPENED, new AccountClosed(ALICE))
                    .when(other)
                    .thenEvents()
                    .thenOutcome(Outcome.conflict());
        }
    }

    @Nested
    final class Closing {

        @Test
        void closing_an_unknown_account_answers_not_found() {
            fixture.given()
                    .when(new CloseAccount(ALICE))
                    .thenEvents()
                    .thenFollowUps()
                    .thenOutcome(Outcome.of(Status.NOT_FOUND, Map.of()));
        }

        @Test
        void closing_an_account_with_a_positive_balance_is_refused_with_balance_not_zero() {
            fixture.given(ALICE_OPENED, funded(ALICE, "t-0", 100))
                    .when(new CloseAccount(ALICE))
                    .thenEvents()
                    .thenOutcome(Outcome.refused(Reason.BALANCE_NOT_ZERO));
        }

        @Test
        void closing_an_overdrawn_account_is_refused_with_balance_not_zero() {
            fixture.given(opened(ALICE, 100),
                            new FundsReserved(ALICE, T1, 40, BOB),
                            new ReservationCaptured(ALICE, T1, 40, BOB))
                    .when(new CloseAccount(ALICE))
                    .thenEvents()
                    .thenOutcome(Outcome.refused(Reason.BALANCE_NOT_ZERO));
        }

        @Test
        void closing_an_account_with_a_hold_is_refused_with_funds_pending() {
            fixture.given(opened(ALICE, 100), new FundsReserved(ALICE, T1, 40, BOB))
                    .when(new CloseAccount(ALICE))
                    .thenEvents()
                    .thenOutcome(Outcome.refused(Reason.FUNDS_PENDING));
        }

        @Test
        void closing_a_settled_account_records_it_and_answers_closed_at_the_next_seq() {
            fixture.given(ALICE_OPENED,
                            funded(ALICE, "t-0", 100),
                            new FundsReserved(ALICE, T1, 100, BOB),
                            new ReservationCaptured(ALICE, T1, 100, BOB))
                    .when(new CloseAccount(ALICE))
                    .thenEvents(new AccountClosed(ALICE))
                    .thenFollowUps()
                    .thenOutcome(Outcome.of(Status.CLOSED, Map.of(ALICE, 5L)))
                    .thenState(state -> {
                        assertThat(state).isInstanceOf(AccountState.Closed.class);
                        assertThat(state.version()).isEqualTo(5);
                    });
        }

        @Test
        void closing_a_closed_account_again_replays_closed_at_the_closing_seq() {
            fixture.given(ALICE_OPENED, new AccountClosed(ALICE))
                    .when(new CloseAccount(ALICE))
                    .thenEvents()
                    .thenOutcome(Outcome.of(Status.CLOSED, Map.of(ALICE, 2L)).asReplay());
        }
    }

    @Nested
    final class Reserving {

        @Test
        void reserving_within_available_funds_holds_them_and_sends_the_credit_with_the_reservation_seq() {
            fixture.given(ALICE_OPENED, funded(ALICE, "t-0", 100))
                    .when(reserve(60))
                    .thenEvents(new FundsReserved(ALICE, T1, 60, BOB))
                    .thenFollowUps(new CreditAccount(BOB, T1, 60, EUR, ALICE, 3))
                    .thenNoOutcome()
                    .thenState(state -> {
                        assertThat(open(state).balances()).isEqualTo(new Balances(60, 0, 0, 100));
                        assertThat(open(state).holds()).containsExactly(Map.entry(T1, 60L));
                        assertThat(open(state).balances().available(0)).isEqualTo(40);
                        assertThat(state.version()).isEqualTo(3);
                    });
        }

        @Test
        void reserving_on_an_unknown_account_rejects_the_transfer_with_account_not_found() {
            fixture.given()
                    .when(reserve(60))
                    .thenEvents()
                    .thenFollowUps(rejection(Reason.ACCOUNT_NOT_FOUND))
                    .thenNoOutcome();
        }

        @Test
        void reserving_on_a_closed_account_rejects_the_transfer_with_account_closed() {
            fixture.given(ALICE_OPENED, new AccountClosed(ALICE))
                    .when(reserve(60))
                    .thenEvents()
                    .thenFollowUps(rejection(Reason.ACCOUNT_CLOSED))
                    .thenNoOutcome();
        }

        @Test
        void reserving_in_another_currency_rejects_the_transfer_with_currency_mismatch() {
            fixture.given(ALICE_OPENED, funded(ALICE, "t-0", 100))
                    .when(new ReserveFunds(ALICE, T1, 60, USD, BOB))
                    .thenEvents()
                    .thenFollowUps(rejection(Reason.CURRENCY_MISMATCH));
        }

        @Test
        void reserving_more_than_available_rejects_the_transfer_with_insufficient_funds() {
            fixture.given(ALICE_OPENED, funded(ALICE, "t-0", 100))
                    .when(reserve(101))
                    .thenEvents()
                    .thenFollowUps(rejection(Reason.INSUFFICIENT_FUNDS));
        }

        @Test
        void holds_of_other_transfers_count_against_available_funds() {
            fixture.given(ALICE_OPENED, funded(ALICE, "t-0", 100), new FundsReserved(ALICE, "t-other", 60, BOB))
                    .when(reserve(41))
                    .thenEvents()
                    .thenFollowUps(rejection(Reason.INSUFFICIENT_FUNDS));
        }

        @Test
        void reserving_exactly_the_balance_plus_the_overdraft_limit_is_allowed() {
            fixture.given(opened(ALICE, 50), funded(ALICE, "t-0", 100))
                    .when(reserve(150))
                    .thenEvents(new FundsReserved(ALICE, T1, 150, BOB))
                    .thenState(state -> assertThat(open(state).balances().available(50)).isZero());
        }

        @Test
        void reserving_one_minor_unit_past_the_overdraft_limit_rejects_with_insufficient_funds() {
            fixture.given(opened(ALICE, 50), funded(ALICE, "t-0", 100))
                    .when(reserve(151))
                    .thenEvents()
                    .thenFollowUps(rejection(Reason.INSUFFICIENT_FUNDS));
        }

        @Test
        void an_unlimited_account_may_reserve_whatever_its_balance() {
            fixture.given(settlementOpened(ALICE),
                            new FundsReserved(ALICE, "t-0", Money.MAX_AMOUNT, BOB),
                            new ReservationCaptured(ALICE, "t-0", Money.MAX_AMOUNT, BOB),
                            new FundsReserved(ALICE, "t-other", Money.MAX_AMOUNT, BOB))
                    .when(reserve(Money.MAX_AMOUNT))
                    .thenEvents(new FundsReserved(ALICE, T1, Money.MAX_AMOUNT, BOB))
                    .thenFollowUps(new CreditAccount(BOB, T1, Money.MAX_AMOUNT, EUR, ALICE, 5));
        }

        @Test
        void reserving_past_the_largest_representable_pending_debit_rejects_with_overflow() {
            fixture.given(settlementOpened(ALICE), new FundsReserved(ALICE, "t-0", Long.MAX_VALUE - 10, BOB))
                    .when(reserve(11))
                    .thenEvents()
                    .thenFollowUps(rejection(Reason.OVERFLOW));
        }

        @Test
        void reserving_up_to_the_largest_representable_pending_debit_is_allowed() {
            fixture.given(settlementOpened(ALICE), new FundsReserved(ALICE, "t-0", Long.MAX_VALUE - 10, BOB))
                    .when(reserve(10))
                    .thenEvents(new FundsReserved(ALICE, T1, 10, BOB));
        }

        /** Every hold may yet be captured, so posted plus pending debits must fit, not only pending ones. */
        @Test
        void reserving_what_could_not_be_captured_without_overflow_rejects_with_overflow() {
            fixture.given(settlementOpened(ALICE),
                            new FundsReserved(ALICE, "t-0", Long.MAX_VALUE - 10, BOB),
                            new ReservationCaptured(ALICE, "t-0", Long.MAX_VALUE - 10, BOB))
                    .when(reserve(11))
                    .thenEvents()
                    .thenFollowUps(rejection(Reason.OVERFLOW));
        }

        /** Available funds above the largest long are still plenty: no counter overflows. */
        @Test
        void a_balance_near_the_top_with_an_overdraft_limit_still_reserves() {
            fixture.given(opened(ALICE, 100), funded(ALICE, "t-0", Long.MAX_VALUE - 5))
                    .when(reserve(1))
                    .thenEvents(new FundsReserved(ALICE, T1, 1, BOB));
        }

        @Test
        void reserving_again_for_a_transfer_already_held_does_nothing() {
            fixture.given(ALICE_OPENED, funded(ALICE, "t-0", 100), new FundsReserved(ALICE, T1, 60, BOB))
                    .when(reserve(60))
                    .thenNothing();
        }
    }

    @Nested
    final class Crediting {

        @Test
        void crediting_an_open_account_posts_it_and_asks_the_debit_side_to_capture_with_the_credit_seq() {
            fixture.given(opened(BOB, 0))
                    .when(credit(60))
                    .thenEvents(new AccountCredited(BOB, T1, 60, ALICE))
                    .thenFollowUps(new CaptureReservation(ALICE, T1, BOB, 2))
                    .thenNoOutcome()
                    .thenState(state -> assertThat(open(state).balances()).isEqualTo(new Balances(0, 0, 0, 60)));
        }

        @Test
        void crediting_an_unknown_account_asks_the_debit_side_to_release_with_account_not_found() {
            fixture.given()
                    .when(credit(60))
                    .thenEvents()
                    .thenFollowUps(release(Reason.ACCOUNT_NOT_FOUND))
                    .thenNoOutcome();
        }

        @Test
        void crediting_a_closed_account_asks_the_debit_side_to_release_with_account_closed() {
            fixture.given(opened(BOB, 0), new AccountClosed(BOB))
                    .when(credit(60))
                    .thenEvents()
                    .thenFollowUps(release(Reason.ACCOUNT_CLOSED));
        }

        @Test
        void crediting_in_another_currency_asks_the_debit_side_to_release_with_currency_mismatch() {
            fixture.given(opened(BOB, 0))
                    .when(new CreditAccount(BOB, T1, 60, USD, ALICE, 3))
                    .thenEvents()
                    .thenFollowUps(release(Reason.CURRENCY_MISMATCH));
        }

        @Test
        void crediting_past_the_largest_representable_posted_credit_asks_for_release_with_overflow() {
            fixture.given(opened(BOB, 0), funded(BOB, "t-0", Long.MAX_VALUE - 10))
                    .when(credit(11))
                    .thenEvents()
                    .thenFollowUps(release(Reason.OVERFLOW));
        }

        @Test
        void crediting_up_to_the_largest_representable_posted_credit_is_allowed() {
            fixture.given(opened(BOB, 0), funded(BOB, "t-0", Long.MAX_VALUE - 10))
                    .when(credit(10))
                    .thenEvents(new AccountCredited(BOB, T1, 10, ALICE))
                    .thenState(state -> assertThat(open(state).balances().creditsPosted()).isEqualTo(Long.MAX_VALUE));
        }
    }

    @Nested
    final class Capturing {

        @Test
        void capturing_a_hold_posts_the_debit_and_completes_the_transfer_with_both_seqs() {
            fixture.given(ALICE_OPENED, funded(ALICE, "t-0", 100), new FundsReserved(ALICE, T1, 60, BOB))
                    .when(new CaptureReservation(ALICE, T1, BOB, 7))
                    .thenEvents(new ReservationCaptured(ALICE, T1, 60, BOB))
                    .thenFollowUps(new CompleteTransfer(T1, 4, 7))
                    .thenNoOutcome()
                    .thenState(state -> {
                        assertThat(open(state).balances()).isEqualTo(new Balances(0, 60, 0, 100));
                        assertThat(open(state).holds()).isEmpty();
                    });
        }

        @Test
        void capturing_a_reservation_already_captured_does_nothing() {
            fixture.given(ALICE_OPENED,
                            funded(ALICE, "t-0", 100),
                            new FundsReserved(ALICE, T1, 60, BOB),
                            new ReservationCaptured(ALICE, T1, 60, BOB))
                    .when(new CaptureReservation(ALICE, T1, BOB, 7))
                    .thenNothing();
        }

        @Test
        void capturing_where_nothing_is_held_does_nothing() {
            fixture.given().when(new CaptureReservation(ALICE, T1, BOB, 7)).thenNothing();
        }
    }

    @Nested
    final class Releasing {

        @ParameterizedTest
        @EnumSource(value = Reason.class, names = {"ACCOUNT_NOT_FOUND", "ACCOUNT_CLOSED", "CURRENCY_MISMATCH", "OVERFLOW"})
        void releasing_a_hold_gives_it_back_and_rejects_the_transfer_with_the_reason_and_the_debit_seq(Reason reason) {
            fixture.given(ALICE_OPENED, funded(ALICE, "t-0", 100), new FundsReserved(ALICE, T1, 60, BOB))
                    .when(new ReleaseReservation(ALICE, T1, reason))
                    .thenEvents(new ReservationReleased(ALICE, T1, 60, reason))
                    .thenFollowUps(new RejectTransfer(T1, reason, Map.of(ALICE, 4L)))
                    .thenNoOutcome()
                    .thenState(state -> {
                        assertThat(open(state).balances()).isEqualTo(new Balances(0, 0, 0, 100));
                        assertThat(open(state).holds()).isEmpty();
                    });
        }

        @Test
        void releasing_a_reservation_already_released_does_nothing() {
            fixture.given(ALICE_OPENED,
                            funded(ALICE, "t-0", 100),
                            new FundsReserved(ALICE, T1, 60, BOB),
                            new ReservationReleased(ALICE, T1, 60, Reason.ACCOUNT_CLOSED))
                    .when(new ReleaseReservation(ALICE, T1, Reason.ACCOUNT_CLOSED))
                    .thenNothing();
        }

        @Test
        void releasing_where_nothing_is_held_does_nothing() {
            fixture.given().when(new ReleaseReservation(ALICE, T1, Reason.ACCOUNT_CLOSED)).thenNothing();
        }
    }

    @Nested
    final class Evolving {

        @Test
        void an_event_of_an_account_that_was_never_opened_is_an_error_not_a_silent_skip() {
            assertThatThrownBy(() -> AccountDecider.evolve(AccountDecider.INITIAL, new FundsReserved(ALICE, T1, 1, BOB)))
                    .isInstanceOf(IllegalStateException.class);
        }

        @Test
        void an_account_event_after_the_account_closed_is_an_error() {
            AccountState closed = AccountDecider.evolve(AccountDecider.evolve(AccountDecider.INITIAL, ALICE_OPENED),
                    new AccountClosed(ALICE));
            assertThatThrownBy(() -> AccountDecider.evolve(closed, funded(ALICE, T1, 1)))
                    .isInstanceOf(IllegalStateException.class);
        }

        @Test
        void every_event_advances_the_version_by_one() {
            AccountState state = fixture.given(ALICE_OPENED,
                            funded(ALICE, "t-0", 100),
                            new FundsReserved(ALICE, T1, 60, BOB),
                            new ReservationReleased(ALICE, T1, 60, Reason.OVERFLOW))
                    .givenState();
            assertThat(state.version()).isEqualTo(4);
        }
    }
}
