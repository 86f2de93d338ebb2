package dev.ledger.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who may do what: every authorization rule of the API, in one place. A route is named by its method
 * and path template; one this table does not name needs an admin key, so that a new route is closed
 * until someone decides who may call it.
 */
final class AccessPolicy {
    /** The only route open without a key: a liveness probe carries no credentials. */
    static final String OPEN_ROUTE = "GET /health/live";

    /**
     * What a route needs. {@code global}: the route names no account or transfer and shows or changes
     * the whole ledger (metrics, keys), so a key confined to a tenant may not call it.
     */
    record Rule(Role role, boolean global) {
    }

    private static final Map<String, Rule> ROUTES = Map.ofEntries(
            Map.entry("GET /health/ready", new Rule(Role.READ, false)),
            Map.entry("GET /health/ready/write", new Rule(Role.READ, false)),
            Map.entry("GET /health/ready/read-model", new Rule(Role.READ, false)),
            Map.entry("GET /metrics", new Rule(Role.READ, true)),
            // opening an account with an overdraft or as a settlement account needs admin: see openAccount
            Map.entry("POST /v1/accounts", new Rule(Role.PAYMENTS, false)),
            Map.entry("POST /v1/accounts/{accountId}/close", new Rule(Role.ADMIN, false)),
            Map.entry("GET /v1/accounts/{accountId}", new Rule(Role.READ, false)),
            Map.entry("GET /v1/accounts/{accountId}/entries", new Rule(Role.READ, false)),
            Map.entry("GET /v1/accounts/{accountId}/balance", new Rule(Role.READ, false)),
            Map.entry("POST /v1/transfers", new Rule(Role.PAYMENTS, false)),
            Map.entry("POST /v1/transfers/batch", new Rule(Role.PAYMENTS, false)),
            Map.entry("GET /v1/transfers/{transferId}", new Rule(Role.READ, false)),
            // holds and refunds, as the contract assigns them, for when their routes are added
            Map.entry("POST /v1/transfers/{transferId}/post", new Rule(Role.PAYMENTS, false)),
            Map.entry("POST /v1/transfers/{transferId}/void", new Rule(Role.PAYMENTS, false)),
            Map.entry("POST /v1/transfers/{transferId}/reverse", new Rule(Role.PAYMENTS, false)),
            Map.entry("POST /v1/api-keys", new Rule(Role.ADMIN, true)),
            Map.entry("GET /v1/api-keys", new Rule(Role.ADMIN, true)),
            Map.entry("DELETE /v1/api-keys/{keyId}", new Rule(Role.ADMIN, true)));
    private static final Rule UNLISTED = new Rule(Role.ADMIN, true);

    /** Path parameters that name an account or a transfer: a tenant key may name only its own. */
    private static final List<String> ID_PATH_PARAMETERS = List.of("accountId", "transferId");
    /** The fields of a transfer object that name an account or a transfer. */
    private static final List<String> TRANSFER_ID_FIELDS = List.of("transferId", "debitAccountId", "creditAccountId");

    private AccessPolicy() {
    }

    static Rule rule(String method, String pathTemplate) {
        return ROUTES.getOrDefault(method + " " + pathTemplate, UNLISTED);
    }

    /** Why {@code principal} may not call this route with these path parameters, or empty when it may. */
    static Optional<String> refusal(Principal principal, String method, String pathTemplate,
                                    Map<String, String> pathParameters) {
        Rule rule = rule(method, pathTemplate);
        if (!principal.role().includes(rule.role())) {
            return Optional.of("this needs the " + rule.role().wireName() + " role; the key has "
                    + principal.role().wireName());
        }
        if (rule.global() && principal.tenant() != null) {
            return Optional.of("a key confined to a tenant may not call this");
        }
        for (String parameter : ID_PATH_PARAMETERS) {
            String id = pathParameters.get(parameter);
            if (id != null && !principal.mayName(id)) return Optional.of(outsideTenant(parameter));
        }
        return Optional.empty();
    }

    /** Settlement and overdraft accounts can create money or let it leave: only an admin opens them. */
    static Optional<String> openAccount(Principal principal, OpenAccountRequest request, String accountId) {
        if (!principal.role().includes(Role.ADMIN) && (request.unlimitedOverdraft() || request.overdraftLimit() > 0)) {
            return Optional.of("opening an account with unlimitedOverdraft or an overdraftLimit above 0 needs the admin role");
        }
        return principal.mayName(accountId) ? Optional.empty() : Optional.of(outsideTenant("accountId"));
    }

    static Optional<String> transfer(Principal principal, String transferId, String debitAccountId,
                                     String creditAccountId) {
        if (!principal.mayName(transferId)) return Optional.of(outsideTenant("transferId"));
        if (!principal.mayName(debitAccountId)) return Optional.of(outsideTenant("debitAccountId"));
        if (!principal.mayName(creditAccountId)) return Optional.of(outsideTenant("creditAccountId"));
        return Optional.empty();
    }

    /**
     * A batch is refused whole when any item names an id outside the key's tenant, valid item or
     * not: a permission is not a property of one item, and nothing of such a batch is sent.
     */
    static Optional<String> batch(Principal principal, List<JsonNode> items) {
        for (int i = 0; i < items.size(); i++) {
            for (String field : TRANSFER_ID_FIELDS) {
                JsonNode id = items.get(i).path(field);
                if (id.isTextual() && !principal.mayName(id.textValue())) {
                    return Optional.of("transfers[" + i + "]." + field + " is outside the key's tenant");
                }
            }
        }
        return Optional.empty();
    }

    private static String outsideTenant(String field) {
        return field + " is outside the key's tenant";
    }
}
