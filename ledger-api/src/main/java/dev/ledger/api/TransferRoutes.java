package dev.ledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.Ids;
import dev.ledger.domain.LedgerCommand;
import dev.ledger.domain.Outcome;
import dev.ledger.domain.transfer.TransferCommand.InitiateTransfer;
import dev.ledger.domain.transfer.TransferRequest;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Submitting transfers, one or a batch: validate, send, wait (bounded) for a final state. */
final class TransferRoutes implements RouteGroup {
    private final CommandGateway gateway;

    TransferRoutes(CommandGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/v1/transfers", this::transfer);
        routes.post("/v1/transfers/batch", this::batch);
    }

    record BatchReply(List<BatchItemResult> results) {
    }

    private void transfer(Context ctx) {
        ctx.header(LedgerPosition.HEADER, "");
        Validated<IdempotencyKey> key = IdempotencyKey.parse(ctx.header(IdempotencyKey.HEADER));
        Validated<JsonNode> body = ApiJson.readObject(RequestBody.read(ctx, RequestBody.MAX_SINGLE_BYTES));
        Validated<TransferBody> transfer = body.isValid()
                ? RequestValidator.transfer(body.value(), false) : Validated.invalid(body.errors());
        List<FieldError> errors = Validated.errorsOf(key, transfer);
        if (!errors.isEmpty()) {
            Replies.problem(ctx, Problem.invalidRequest(errors));
            return;
        }
        Principal principal = Authenticator.principal(ctx);
        Identity identity = Identity.of(transfer.value().transferId(), key.value(), Identity.TRANSFER_SCOPE, principal);
        TransferRequest request = transfer.value().toRequest(identity.id());
        Optional<String> refusal = AccessPolicy.transfer(principal, request.transferId(), request.debitAccountId(),
                request.creditAccountId());
        if (refusal.isPresent()) {
            Replies.problem(ctx, Problem.forbidden(refusal.get()));
            return;
        }
        long waitMs = WaitPreference.waitMs(ctx.header(WaitPreference.HEADER), true);
        Replies.async(ctx, () -> gateway.submit(new InitiateTransfer(request), waitMs)
                .thenAccept(outcome -> answer(ctx, identity, request, outcome)));
    }

    private static void answer(Context ctx, Identity identity, TransferRequest request, Optional<Outcome> decided) {
        String location = "/v1/transfers/" + request.transferId();
        if (decided.isEmpty()) {
            ctx.header("Location", location);
            Replies.json(ctx, 202, TransferAnswer.of(request, "PENDING"));
            return;
        }
        Outcome outcome = decided.get();
        ctx.header(LedgerPosition.HEADER, LedgerPosition.of(outcome.position()).format());
        if (outcome.replayed() && outcome.status() != Outcome.Status.CONFLICT) {
            ctx.header(Replies.REPLAYED_HEADER, "true");
        }
        switch (outcome.status()) {
            case COMPLETED -> {
                ctx.header("Location", location);
                Replies.json(ctx, 201, TransferAnswer.of(request, "COMPLETED"));
            }
            case REJECTED -> Replies.problem(ctx, Problem.transferRejected(request.transferId(), outcome.reason()));
            case CONFLICT -> Replies.problem(ctx, identity.derived()
                    ? Problem.idempotencyKeyReused() : Problem.identityConflict(identity.id()));
            default -> Replies.unexpected(ctx, outcome);
        }
    }

    /**
     * Every valid item is sent before any is waited for, so that the batch costs one wait, not a
     * thousand; the waiters for the whole batch are reserved at once or the batch is refused.
     */
    private void batch(Context ctx) {
        ctx.header(LedgerPosition.HEADER, "");
        Validated<IdempotencyKey> key = IdempotencyKey.parse(ctx.header(IdempotencyKey.HEADER));
        Validated<JsonNode> body = ApiJson.readObject(RequestBody.read(ctx, RequestBody.MAX_BATCH_BYTES));
        Validated<List<JsonNode>> items = body.isValid() ? RequestValidator.batch(body.value()) : Validated.invalid(body.errors());
        List<FieldError> errors = Validated.errorsOf(key, items);
        if (!errors.isEmpty()) {
            Replies.problem(ctx, Problem.invalidRequest(errors));
            return;
        }
        Optional<String> refusal = AccessPolicy.batch(Authenticator.principal(ctx), items.value());
        if (refusal.isPresent()) {
            Replies.problem(ctx, Problem.forbidden(refusal.get()));
            return;
        }
        int size = items.value().size();
        var slots = new BatchItemResult[size];
        var requests = new ArrayList<TransferRequest>();
        var slotOfRequest = new ArrayList<Integer>();
        for (int i = 0; i < size; i++) {
            JsonNode item = items.value().get(i);
            if (!item.isObject()) {
                slots[i] = BatchItemResult.invalid(null, List.of(new FieldError("transfer", "must be a JSON object")));
                continue;
            }
            Validated<TransferBody> transfer = RequestValidator.transfer(item, true);
            if (!transfer.isValid()) {
                // only a valid id is echoed: a refused one may hold what cannot be written back
                JsonNode id = item.get("transferId");
                slots[i] = BatchItemResult.invalid(id != null && Ids.isValid(id.textValue()) ? id.textValue() : null,
                        transfer.errors());
                continue;
            }
            requests.add(transfer.value().toRequest(transfer.value().transferId()));
            slotOfRequest.add(i);
        }
        long waitMs = WaitPreference.waitMs(ctx.header(WaitPreference.HEADER), true);
        Replies.async(ctx, () -> {
            List<LedgerCommand> commands = requests.stream().<LedgerCommand>map(InitiateTransfer::new).toList();
            List<CompletableFuture<Optional<Outcome>>> outcomes = gateway.submitAll(commands, waitMs);
            @SuppressWarnings("unchecked")
            Map<String, Long>[] positions = new Map[outcomes.size()];
            var answered = new ArrayList<CompletableFuture<Void>>(outcomes.size());
            for (int r = 0; r < outcomes.size(); r++) {
                int slot = slotOfRequest.get(r);
                int request = r;
                String transferId = requests.get(r).transferId();
                answered.add(outcomes.get(r).handle((decided, error) -> {
                    slots[slot] = itemResult(transferId, decided, error);
                    positions[request] = decided == null ? Map.of() : decided.map(Outcome::position).orElse(Map.of());
                    return null;
                }));
            }
            return CompletableFuture.allOf(answered.toArray(CompletableFuture[]::new)).thenRun(() -> {
                ctx.header(LedgerPosition.HEADER, LedgerPosition.mergeAll(Arrays.asList(positions)).format());
                Replies.json(ctx, 200, new BatchReply(Arrays.asList(slots)));
            });
        });
    }

    private static BatchItemResult itemResult(String transferId, Optional<Outcome> decided, Throwable error) {
        if (error != null) return BatchItemResult.of(transferId, "UNAVAILABLE", null, false);
        if (decided.isEmpty()) return BatchItemResult.of(transferId, "PENDING", null, false);
        Outcome outcome = decided.get();
        return switch (outcome.status()) {
            case COMPLETED -> BatchItemResult.of(transferId, "COMPLETED", null, outcome.replayed());
            case REJECTED -> BatchItemResult.of(transferId, "REJECTED", outcome.reason().name(), outcome.replayed());
            case CONFLICT -> BatchItemResult.of(transferId, "CONFLICT", null, false);
            default -> BatchItemResult.of(transferId, outcome.status().name(),
                    outcome.reason() == null ? null : outcome.reason().name(), outcome.replayed());
        };
    }
}
