package dev.ledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Which role may do what, and what a tenant key may name: the rules of {@link AccessPolicy}. */
class AccessPolicyTest {
    private static final Principal ADMIN = new Principal("key-a", "admin", Role.ADMIN, null);
    private static final Principal PAYMENTS = new Principal("key-p", "payments", Role.PAYMENTS, null);
    private static final Principal READ = new Principal("key-r", "read", Role.READ, null);
    private static final Principal ACME = new Principal("key-t", "acme", Role.PAYMENTS, "acme-");
    private static final Principal ACME_ADMIN = new Principal("key-ta", "acme admin", Role.ADMIN, "acme-");

    @Test
    void given_each_role_when_it_calls_each_route_then_only_the_roles_that_include_the_routes_role_may() {
        // route -> the lowest role that may call it
        Map<String, Role> lowest = Map.ofEntries(
                Map.entry("GET /v1/accounts/{accountId}", Role.READ),
                Map.entry("GET /v1/accounts/{accountId}/entries", Role.READ),
                Map.entry("GET /v1/accounts/{accountId}/balance", Role.READ),
                Map.entry("GET /v1/transfers/{transferId}", Role.READ),
                Map.entry("GET /health/ready", Role.READ),
                Map.entry("GET /metrics", Role.READ),
                Map.entry("POST /v1/accounts", Role.PAYMENTS),
                Map.entry("POST /v1/transfers", Role.PAYMENTS),
                Map.entry("POST /v1/transfers/batch", Role.PAYMENTS),
                Map.entry("POST /v1/accounts/{accountId}/close", Role.ADMIN),
                Map.entry("POST /v1/api-keys", Role.ADMIN),
                Map.entry("GET /v1/api-keys", Role.ADMIN),
                Map.entry("DELETE /v1/api-keys/{keyId}", Role.ADMIN));
        lowest.forEach((route, needed) -> {
            String method = route.substring(0, route.indexOf(' '));
            String path = route.substring(route.indexOf(' ') + 1);
            for (Principal principal : List.of(ADMIN, PAYMENTS, READ)) {
                boolean allowed = AccessPolicy.refusal(principal, method, path, Map.of()).isEmpty();
                assertThat(allowed).as("%s calling %s", principal.role(), route).isEqualTo(principal.role().includes(needed));
            }
        });
    }

    @Test
    void given_a_route_the_policy_does_not_name_when_a_payments_key_calls_it_then_it_is_refused() {
        assertThat(AccessPolicy.refusal(PAYMENTS, "POST", "/v1/something-new", Map.of())).isPresent();
        assertThat(AccessPolicy.refusal(READ, "GET", "/v1/something-new", Map.of())).isPresent();
        assertThat(AccessPolicy.refusal(ADMIN, "GET", "/v1/something-new", Map.of())).isEmpty();
    }

    @Test
    void given_a_refused_role_when_the_reason_is_given_then_it_names_the_needed_role_and_the_keys() {
        assertThat(AccessPolicy.refusal(READ, "POST", "/v1/transfers", Map.of()))
                .hasValue("this needs the payments role; the key has read");
    }

    @Test
    void given_a_payments_key_when_it_opens_an_account_then_only_an_ordinary_one_is_allowed() {
        assertThat(AccessPolicy.openAccount(PAYMENTS, account(0, false), "alice")).isEmpty();
        assertThat(AccessPolicy.openAccount(PAYMENTS, account(0, true), "bank")).isPresent();
        assertThat(AccessPolicy.openAccount(PAYMENTS, account(1, false), "alice")).isPresent();
        assertThat(AccessPolicy.openAccount(ADMIN, account(0, true), "bank")).isEmpty();
        assertThat(AccessPolicy.openAccount(ADMIN, account(500, false), "alice")).isEmpty();
    }

    @Test
    void given_a_tenant_key_when_it_names_ids_in_a_path_then_only_its_own_are_allowed() {
        assertThat(AccessPolicy.refusal(ACME, "GET", "/v1/accounts/{accountId}", Map.of("accountId", "acme-alice"))).isEmpty();
        assertThat(AccessPolicy.refusal(ACME, "GET", "/v1/accounts/{accountId}", Map.of("accountId", "globex-bob")))
                .hasValue("accountId is outside the key's tenant");
        assertThat(AccessPolicy.refusal(ACME, "GET", "/v1/transfers/{transferId}", Map.of("transferId", "t-1"))).isPresent();
        assertThat(AccessPolicy.refusal(PAYMENTS, "GET", "/v1/accounts/{accountId}", Map.of("accountId", "globex-bob"))).isEmpty();
    }

    @Test
    void given_a_tenant_key_when_it_names_ids_in_a_body_then_each_must_be_its_own() {
        assertThat(AccessPolicy.openAccount(ACME, account(0, false), "acme-alice")).isEmpty();
        assertThat(AccessPolicy.openAccount(ACME, account(0, false), "alice")).isPresent();
        assertThat(AccessPolicy.transfer(ACME, "acme-t1", "acme-alice", "acme-bob")).isEmpty();
        assertThat(AccessPolicy.transfer(ACME, "acme-t1", "acme-alice", "globex-bob"))
                .hasValue("creditAccountId is outside the key's tenant");
        assertThat(AccessPolicy.transfer(ACME, "t1", "acme-alice", "acme-bob")).hasValue("transferId is outside the key's tenant");
    }

    @Test
    void given_a_batch_with_one_item_outside_the_tenant_when_it_is_checked_then_the_whole_batch_is_refused() {
        List<JsonNode> items = List.of(
                json("{\"transferId\": \"acme-1\", \"debitAccountId\": \"acme-a\", \"creditAccountId\": \"acme-b\"}"),
                json("{\"transferId\": \"acme-2\", \"debitAccountId\": \"globex-a\", \"amount\": \"not even valid\"}"));

        assertThat(AccessPolicy.batch(ACME, items)).hasValue("transfers[1].debitAccountId is outside the key's tenant");
        assertThat(AccessPolicy.batch(ACME, items.subList(0, 1))).isEmpty();
        assertThat(AccessPolicy.batch(PAYMENTS, items)).isEmpty();
    }

    @Test
    void given_a_tenant_admin_key_when_it_calls_a_route_of_the_whole_ledger_then_it_is_refused() {
        assertThat(AccessPolicy.refusal(ACME_ADMIN, "POST", "/v1/api-keys", Map.of())).isPresent();
        assertThat(AccessPolicy.refusal(ACME_ADMIN, "GET", "/metrics", Map.of())).isPresent();
        assertThat(AccessPolicy.refusal(ACME_ADMIN, "POST", "/v1/accounts/{accountId}/close", Map.of("accountId", "acme-a")))
                .isEmpty();
    }

    @Test
    void given_the_roles_when_compared_then_each_includes_those_below_it() {
        assertThat(Role.ADMIN.includes(Role.PAYMENTS)).isTrue();
        assertThat(Role.PAYMENTS.includes(Role.READ)).isTrue();
        assertThat(Role.READ.includes(Role.PAYMENTS)).isFalse();
        assertThat(Role.parse("payments")).hasValue(Role.PAYMENTS);
        assertThat(Role.parse("PAYMENTS")).isEqualTo(Optional.empty());
    }

    private static OpenAccountRequest account(long overdraftLimit, boolean unlimited) {
        return new OpenAccountRequest(null, Currency.getInstance("EUR"), overdraftLimit, unlimited, Map.of());
    }

    private static JsonNode json(String text) {
        try {
            return ApiJson.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
