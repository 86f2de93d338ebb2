package dev.ledger.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WaitPreferenceTest {

    @Test
    void given_no_preference_then_the_default_wait_applies() {
        assertThat(WaitPreference.waitMs(null, true)).isEqualTo(5_000);
    }

    @Test
    void given_a_wait_preference_then_it_is_honoured_up_to_thirty_seconds() {
        assertThat(WaitPreference.waitMs("wait=10", true)).isEqualTo(10_000);
        assertThat(WaitPreference.waitMs("handling=lenient, wait=120", true)).isEqualTo(30_000);
        assertThat(WaitPreference.waitMs("wait=soon", true)).isEqualTo(5_000);
    }

    @Test
    void given_respond_async_then_a_transfer_does_not_wait_but_an_account_does() {
        assertThat(WaitPreference.waitMs("respond-async, wait=10", true)).isZero();
        assertThat(WaitPreference.waitMs("respond-async", false)).isEqualTo(5_000);
    }
}
