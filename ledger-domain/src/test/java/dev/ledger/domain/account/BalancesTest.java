package dev.ledger.domain.account;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class BalancesTest {

    private static final long MAX = Long.MAX_VALUE;

    @Test
    void balance_is_posted_credits_minus_posted_debits() {
        assertThat(new Balances(7, 30, 0, 100).balance()).isEqualTo(70);
        assertThat(new Balances(0, 100, 0, 30).balance()).isEqualTo(-70);
    }

    @Test
    void available_is_the_balance_less_holds_plus_the_overdraft_limit() {
        assertThat(new Balances(20, 30, 0, 100).available(50)).isEqualTo(100);
    }

    @Test
    void capture_moves_a_hold_to_posted_debits_and_release_drops_it() {
        Balances held = Balances.ZERO.credit(100).reserve(60);
        assertThat(held.capture(60)).isEqualTo(new Balances(0, 60, 0, 100));
        assertThat(held.release(60)).isEqualTo(new Balances(0, 0, 0, 100));
    }

    @Test
    void a_debit_at_once_posts_as_a_hold_and_its_capture_do() {
        Balances funded = Balances.ZERO.credit(100);
        assertThat(funded.debit(60)).isEqualTo(funded.reserve(60).capture(60)).isEqualTo(new Balances(0, 60, 0, 100));
        assertThatThrownBy(() -> new Balances(0, MAX, 0, 0).debit(1)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void only_a_zero_balance_with_nothing_held_is_settled() {
        assertThat(Balances.ZERO.isSettled()).isTrue();
        assertThat(new Balances(0, 100, 0, 100).isSettled()).isTrue();
        assertThat(new Balances(0, 0, 0, 1).isSettled()).isFalse();
        assertThat(new Balances(1, 0, 0, 1).isSettled()).isFalse();
        assertThat(new Balances(0, 0, 1, 0).isSettled()).isFalse();
    }

    @Test
    void a_pending_debit_past_the_largest_long_throws_rather_than_wraps() {
        assertThatThrownBy(() -> new Balances(MAX, 0, 0, 0).reserve(1)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void a_posted_debit_past_the_largest_long_throws_rather_than_wraps() {
        assertThatThrownBy(() -> new Balances(1, MAX, 0, 0).capture(1)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void a_posted_credit_past_the_largest_long_throws_rather_than_wraps() {
        assertThatThrownBy(() -> new Balances(0, 0, 0, MAX).credit(1)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void available_funds_past_the_largest_long_throw_rather_than_wrap() {
        assertThatThrownBy(() -> new Balances(0, 0, 0, MAX).available(1)).isInstanceOf(ArithmeticException.class);
    }
}
