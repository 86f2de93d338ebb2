package dev.ledger.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LedgerPositionTest {

    @Test
    void given_a_position_when_formatted_and_parsed_then_it_round_trips_in_a_stable_order() {
        var position = LedgerPosition.of(Map.of("bob", 4L, "alice", 17L));

        assertThat(position.format()).isEqualTo("alice:17,bob:4");
        assertThat(LedgerPosition.parse(position.format())).isEqualTo(position);
    }

    @Test
    void given_ids_containing_colons_when_parsed_then_each_entry_splits_at_its_last_colon() {
        var position = LedgerPosition.parse("acct:eur:main:17, settle:1:3");

        assertThat(position.seqByAccount()).containsExactlyInAnyOrderEntriesOf(Map.of("acct:eur:main", 17L, "settle:1", 3L));
        assertThat(LedgerPosition.parse(position.format())).isEqualTo(position);
    }

    @Test
    void given_an_empty_token_when_parsed_then_it_names_no_account() {
        assertThat(LedgerPosition.parse("").isEmpty()).isTrue();
        assertThat(LedgerPosition.parse("  ").format()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice", "alice:", ":4", "alice:x", "alice:-1", "alice:4,", "-bad:4", "alice:4;bob:5"})
    void given_a_malformed_token_when_parsed_then_it_is_refused(String token) {
        assertThatThrownBy(() -> LedgerPosition.parse(token)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void given_a_batch_of_outcomes_when_merged_at_once_then_each_account_keeps_its_latest_seq() {
        var merged = LedgerPosition.mergeAll(List.of(Map.of("alice", 5L, "bob", 2L), Map.of(), Map.of("bob", 7L, "carol", 1L),
                Map.of("alice", 3L)));

        assertThat(merged.format()).isEqualTo("alice:5,bob:7,carol:1");
        assertThat(LedgerPosition.mergeAll(List.of(Map.of(), Map.of()))).isEqualTo(LedgerPosition.EMPTY);
    }

    @Test
    void given_projected_seqs_when_compared_then_every_named_account_must_be_reached() {
        var position = LedgerPosition.parse("alice:5,bob:2");

        var needed = position.seqByAccount();

        assertThat(LedgerPosition.unreached(needed, Map.of("alice", 5L, "bob", 9L))).isEmpty();
        assertThat(LedgerPosition.unreached(needed, Map.of("alice", 4L, "bob", 9L))).isEqualTo(Map.of("alice", 5L));
        assertThat(LedgerPosition.unreached(needed, Map.of("alice", 5L))).isEqualTo(Map.of("bob", 2L));
        assertThat(LedgerPosition.unreached(needed, Map.of())).isEqualTo(needed);
    }
}
