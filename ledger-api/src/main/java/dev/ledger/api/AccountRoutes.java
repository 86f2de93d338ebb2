package dev.ledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.Outcome;
import dev.ledger.domain.account.AccountCommand.CloseAccount;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.List;
import java.util.Optional;

/** Opening and closing accounts: validate, send the command, answer with its outcome. */
final class AccountRoutes implements RouteGroup {
    private final CommandGateway gateway;

    AccountRoutes(CommandGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/v1/accounts", this::open);
        routes.post("/v1/accounts/{accountId}/close", this::close);
    }

    /** What a closed account looks like in the reply; the full account is a read away. */
    record ClosedAccount(String accountId, String status) {
    }

    private void open(Context ctx) {
        ctx.header(LedgerPosition.HEADER, "");
        Validated<IdempotencyKey> key = IdempotencyKey.parse(ctx.header(IdempotencyKey.HEADER));
        Validated<JsonNode> body = ApiJson.readObject(RequestBody.read(ctx, RequestBody.MAX_SINGLE_BYTES));
        Validated<OpenAccountRequest> request = body.isValid()
                ? RequestValidator.openAccount(body.value()) : Validated.invalid(body.errors());
        List<FieldError> errors = Validated.errorsOf(key, request);
        if (!errors.isEmpty()) {
            Replies.problem(ctx, Problem.invalidRequest(errors));
            return;
        }
        Principal principal = Authenticator.principal(ctx);
        Identity identity = Identity.of(request.value().accountId(), key.value(), Identity.ACCOUNT_SCOPE, principal);
        Optional<String> refusal = AccessPolicy.openAccount(principal, request.value(), identity.id());
        if (refusal.isPresent()) {
            Replies.problem(ctx, Problem.forbidden(refusal.get()));
            return;
        }
        long waitMs = WaitPreference.waitMs(ctx.header(WaitPreference.HEADER), false);
        Replies.async(ctx, () -> gateway.submit(request.value().toCommand(identity.id()), waitMs)
                .thenAccept(outcome -> answerOpen(ctx, identity, request.value(), outcome)));
    }

    private static void answerOpen(Context ctx, Identity identity, OpenAccountRequest request, Optional<Outcome> decided) {
        if (decided.isEmpty()) {
            Replies.problem(ctx, Problem.decisionPending("the account is recorded but not decided yet; "
                    + "retry with the same Idempotency-Key"));
            return;
        }
        Outcome outcome = decided.get();
        ctx.header(LedgerPosition.HEADER, LedgerPosition.of(outcome.position()).format());
        switch (outcome.status()) {
            case OPENED -> {
                if (outcome.replayed()) ctx.header(Replies.REPLAYED_HEADER, "true");
                ctx.header("Location", "/v1/accounts/" + identity.id());
                Replies.json(ctx, 201, AccountView.opened(identity.id(), request));
            }
            case CONFLICT -> Replies.problem(ctx, identity.derived()
                    ? Problem.idempotencyKeyReused() : Problem.identityConflict(identity.id()));
            default -> Replies.unexpected(ctx, outcome);
        }
    }

    private void close(Context ctx) {
        ctx.header(LedgerPosition.HEADER, "");
        Validated<IdempotencyKey> key = IdempotencyKey.parse(ctx.header(IdempotencyKey.HEADER));
        Validated<String> accountId = RequestValidator.pathId("accountId", ctx.pathParam("accountId"));
        List<FieldError> errors = Validated.errorsOf(key, accountId);
        if (!errors.isEmpty()) {
            Replies.problem(ctx, Problem.invalidRequest(errors));
            return;
        }
        long waitMs = WaitPreference.waitMs(ctx.header(WaitPreference.HEADER), false);
        Replies.async(ctx, () -> gateway.submit(new CloseAccount(accountId.value()), waitMs)
                .thenAccept(outcome -> answerClose(ctx, accountId.value(), outcome)));
    }

    private static void answerClose(Context ctx, String accountId, Optional<Outcome> decided) {
        if (decided.isEmpty()) {
            Replies.problem(ctx, Problem.decisionPending("the close is recorded but not decided yet; retry it"));
            return;
        }
        Outcome outcome = decided.get();
        ctx.header(LedgerPosition.HEADER, LedgerPosition.of(outcome.position()).format());
        switch (outcome.status()) {
            case CLOSED -> {
                if (outcome.replayed()) ctx.header(Replies.REPLAYED_HEADER, "true");
                Replies.json(ctx, 200, new ClosedAccount(accountId, "CLOSED"));
            }
            case REFUSED -> Replies.problem(ctx, Problem.accountNotClosable(accountId, outcome.reason()));
            case NOT_FOUND -> Replies.problem(ctx, Problem.notFound("account '" + accountId + "' does not exist"));
            default -> Replies.unexpected(ctx, outcome);
        }
    }
}
