package dev.ledger.command;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class RestorePacingTest {
    @Test
    void a_thread_takes_one_slice_per_commit() {
        var pacing = new RestorePacing();

        assertThat(pacing.takeSlice()).as("the first").isTrue();
        assertThat(pacing.takeSlice()).as("another task, in the same pass").isFalse();
        pacing.refill(); // the pass's commit
        assertThat(pacing.takeSlice()).as("the next pass").isTrue();
        assertThat(pacing.takeSlice()).isFalse();
    }

    @Test
    void each_stream_thread_has_its_own_slices() throws Exception {
        var pacing = new RestorePacing();
        assertThat(pacing.takeSlice()).isTrue();

        boolean otherThread = CompletableFuture.supplyAsync(pacing::takeSlice).get();

        assertThat(otherThread).as("a thread whose own pass has a slice due").isTrue();
        assertThat(pacing.takeSlice()).isFalse();
    }
}
