package dev.ledger.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Managing API keys (admin only, see {@link AccessPolicy}). The secret of a new key is in the
 * creation's answer and nowhere else: only its hash is stored. Creation is not idempotent (the
 * secret could not be answered again): a client that lost the answer revokes that key and creates
 * another.
 */
final class ApiKeyRoutes implements RouteGroup {
    private final ApiKeyStore store;
    private final ApiKeyDirectory directory;
    private final Executor jdbcExecutor;

    /** @param jdbcExecutor where the store's queries run: never on a request thread */
    ApiKeyRoutes(ApiKeyStore store, ApiKeyDirectory directory, Executor jdbcExecutor) {
        this.store = store;
        this.directory = directory;
        this.jdbcExecutor = jdbcExecutor;
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record CreatedKeyView(String keyId, String name, String role, String tenant, String apiKey) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    /** Timestamps as RFC 3339 text, as every read of the API writes them. */
    record KeyView(String keyId, String name, String role, String tenant, String createdAt, String revokedAt) {
        static KeyView of(ApiKeyStore.StoredKey key) {
            Principal p = key.principal();
            return new KeyView(p.keyId(), p.name(), p.role().wireName(), p.tenant(), key.createdAt().toString(),
                    key.revokedAt() == null ? null : key.revokedAt().toString());
        }
    }

    record KeyList(List<KeyView> keys) {
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/v1/api-keys", this::create);
        routes.get("/v1/api-keys", this::list);
        routes.delete("/v1/api-keys/{keyId}", this::revoke);
    }

    private void create(Context ctx) {
        Validated<JsonNode> body = ApiJson.readObject(RequestBody.read(ctx, RequestBody.MAX_SINGLE_BYTES));
        Validated<ApiKeyRequest> request = body.isValid() ? RequestValidator.apiKey(body.value()) : Validated.invalid(body.errors());
        if (!request.isValid()) {
            Replies.problem(ctx, Problem.invalidRequest(request.errors()));
            return;
        }
        ApiKeyRequest r = request.value();
        Replies.async(ctx, () -> CompletableFuture.supplyAsync(() -> {
            ApiKeyStore.CreatedKey created = store.create(r.name(), r.role(), r.tenant());
            directory.refresh(); // usable on this instance at once, on the others within a refresh
            return created;
        }, jdbcExecutor).thenAccept(created -> {
            Principal p = created.principal();
            ctx.header("Cache-Control", "no-store");
            Replies.json(ctx, 201, new CreatedKeyView(p.keyId(), p.name(), p.role().wireName(), p.tenant(), created.apiKey()));
        }));
    }

    private void list(Context ctx) {
        Replies.async(ctx, () -> CompletableFuture.supplyAsync(store::list, jdbcExecutor).thenAccept(keys ->
                Replies.json(ctx, 200, new KeyList(keys.stream().map(KeyView::of).toList()))));
    }

    private void revoke(Context ctx) {
        Validated<String> id = RequestValidator.pathId("keyId", ctx.pathParam("keyId"));
        if (!id.isValid()) {
            Replies.problem(ctx, Problem.invalidRequest(id.errors()));
            return;
        }
        String keyId = id.value();
        Replies.async(ctx, () -> CompletableFuture.supplyAsync(() -> {
            boolean found = store.revoke(keyId);
            if (found) directory.refresh();
            return found;
        }, jdbcExecutor).thenAccept(found -> {
            if (found) ctx.status(204);
            else Replies.problem(ctx, Problem.notFound("API key '" + keyId + "' does not exist"));
        }));
    }
}
