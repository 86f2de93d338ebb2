package dev.ledger.api;

import dev.ledger.domain.Ids;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class IdempotencyKeyTest {

    @Test
    void given_a_bare_key_when_parsed_then_it_is_kept_as_sent() {
        assertThat(IdempotencyKey.parse("order-42 retry/1").value().value()).isEqualTo("order-42 retry/1");
    }

    @Test
    void given_a_quoted_key_when_parsed_then_the_quotes_are_not_part_of_it() {
        assertThat(IdempotencyKey.parse("\"8e03978e-40d5\"").value()).isEqualTo(IdempotencyKey.parse("8e03978e-40d5").value());
    }

    @Test
    void given_no_key_when_parsed_then_the_header_is_named_as_required() {
        var result = IdempotencyKey.parse(null);

        assertThat(result.errors()).extracting(FieldError::field).containsExactly("Idempotency-Key");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\"\"", "caf\u00e9", "tab\there", "new\nline"})
    void given_a_key_that_is_not_printable_ascii_when_parsed_then_it_is_refused(String key) {
        assertThat(IdempotencyKey.parse(key).isValid()).isFalse();
    }

    @Test
    void given_a_key_with_a_control_character_when_parsed_then_the_reason_is_the_text_rule() {
        assertThat(IdempotencyKey.parse("k\u0000ey").errors()).containsExactly(new FieldError("Idempotency-Key",
                "contains a control character (U+0000) at character 1 (counting code points from 0)"));
        assertThat(IdempotencyKey.parse("caf\u00e9").errors()).extracting(FieldError::reason)
                .containsExactly("must be 1 to 255 printable ASCII characters");
    }

    @Test
    void given_keys_at_the_length_bound_when_parsed_then_255_passes_and_256_does_not() {
        assertThat(IdempotencyKey.parse("k".repeat(255)).isValid()).isTrue();
        assertThat(IdempotencyKey.parse("k".repeat(256)).isValid()).isFalse();
        assertThat(IdempotencyKey.parse("\"" + "k".repeat(255) + "\"").isValid()).isTrue();
    }

    private static final Principal CHECKOUT = new Principal("key-1", "checkout", Role.PAYMENTS, null);
    private static final Principal BILLING = new Principal("key-2", "billing", Role.PAYMENTS, null);

    @Test
    void given_the_same_key_when_an_id_is_derived_twice_then_a_retry_gets_the_same_valid_id() {
        var key = new IdempotencyKey("client-key-1");

        String id = key.deriveId(Identity.ACCOUNT_SCOPE, CHECKOUT);

        assertThat(id).isEqualTo(new IdempotencyKey("client-key-1").deriveId(Identity.ACCOUNT_SCOPE, CHECKOUT));
        assertThat(id).startsWith("k-").hasSize(42);
        assertThat(Ids.isValid(id)).isTrue();
    }

    @Test
    void given_one_key_when_ids_are_derived_for_an_account_and_a_transfer_then_they_differ() {
        var key = new IdempotencyKey("shared");

        assertThat(key.deriveId(Identity.ACCOUNT_SCOPE, CHECKOUT)).isNotEqualTo(key.deriveId(Identity.TRANSFER_SCOPE, CHECKOUT));
        assertThat(key.deriveId(Identity.ACCOUNT_SCOPE, CHECKOUT))
                .isNotEqualTo(new IdempotencyKey("shared2").deriveId("account", CHECKOUT));
    }

    @Test
    void given_one_idempotency_key_sent_by_two_principals_when_ids_are_derived_then_they_differ() {
        var key = new IdempotencyKey("order-17");

        assertThat(key.deriveId(Identity.TRANSFER_SCOPE, CHECKOUT)).isNotEqualTo(key.deriveId(Identity.TRANSFER_SCOPE, BILLING));
    }

    @Test
    void given_a_tenant_key_of_the_longest_tenant_when_an_id_is_derived_then_it_starts_with_the_tenant_and_is_valid() {
        String tenant = "t".repeat(Principal.MAX_TENANT_LENGTH);
        var principal = new Principal("key-3", "shop", Role.PAYMENTS, tenant);

        String id = new IdempotencyKey("k").deriveId(Identity.ACCOUNT_SCOPE, principal);

        assertThat(id).startsWith(tenant + "k-");
        assertThat(Ids.isValid(id)).isTrue();
        assertThat(principal.mayName(id)).isTrue();
    }

    @Test
    void given_an_explicit_id_when_the_identity_is_chosen_then_it_wins_over_the_key_for_every_principal() {
        var key = new IdempotencyKey("k");

        assertThat(Identity.of("alice", key, Identity.ACCOUNT_SCOPE, CHECKOUT)).isEqualTo(new Identity("alice", false));
        assertThat(Identity.of("alice", key, Identity.ACCOUNT_SCOPE, BILLING)).isEqualTo(new Identity("alice", false));
        assertThat(Identity.of(null, key, Identity.ACCOUNT_SCOPE, CHECKOUT).derived()).isTrue();
    }
}
