package dev.ledger.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The read side: PostgreSQL only. Every read may name a {@code Ledger-Min-Position}: it then waits,
 * bounded and without holding a thread, until the read model has projected that far. No read answers
 * from a partition the read model is stuck on ({@link StuckPartitions}): 503 names the event and why.
 */
final class QueryRoutes implements RouteGroup {
    static final int DEFAULT_PAGE_SIZE = 100;
    static final int MAX_PAGE_SIZE = 1000;
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");

    private final ReadModel readModel;
    private final StuckPartitions stuck;
    private final PositionWaiter positions;
    private final Executor readExecutor;
    private final Clock clock;

    /** @param readExecutor bounded: a full queue is refused (429) rather than queued forever */
    QueryRoutes(ReadModel readModel, StuckPartitions stuck, PositionWaiter positions, Executor readExecutor,
                Clock clock) {
        this.readModel = readModel;
        this.stuck = stuck;
        this.positions = positions;
        this.readExecutor = readExecutor;
        this.clock = clock;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/v1/accounts/{accountId}", this::account);
        routes.get("/v1/accounts/{accountId}/entries", this::entries);
        routes.get("/v1/accounts/{accountId}/balance", this::balance);
        routes.get("/v1/transfers/{transferId}", this::transfer);
    }

    private void account(Context ctx) {
        Validated<String> id = RequestValidator.pathId("accountId", ctx.pathParam("accountId"));
        Validated<LedgerPosition> min = minPosition(ctx);
        if (invalid(ctx, id, min)) return;
        read(ctx, account(id.value()), min.value(), () -> readModel.account(id.value()),
                accountNotFound(id.value()));
    }

    private void entries(Context ctx) {
        Validated<String> id = RequestValidator.pathId("accountId", ctx.pathParam("accountId"));
        Validated<LedgerPosition> min = minPosition(ctx);
        Validated<Integer> limit = limit(ctx.queryParam("limit"));
        Validated<Long> after = cursor(ctx.queryParam("after"));
        if (invalid(ctx, id, min, limit, after)) return;
        read(ctx, account(id.value()), min.value(), () -> readModel.entries(id.value(), after.value(), limit.value()),
                accountNotFound(id.value()));
    }

    private void balance(Context ctx) {
        Validated<String> id = RequestValidator.pathId("accountId", ctx.pathParam("accountId"));
        Validated<LedgerPosition> min = minPosition(ctx);
        Validated<Instant> asOf = instant(ctx.queryParam("asOf"));
        if (invalid(ctx, id, min, asOf)) return;
        read(ctx, account(id.value()), min.value(), () -> readModel.balanceAsOf(id.value(), asOf.value()),
                accountNotFound(id.value()));
    }

    private void transfer(Context ctx) {
        Validated<String> id = RequestValidator.pathId("transferId", ctx.pathParam("transferId"));
        Validated<LedgerPosition> min = minPosition(ctx);
        if (invalid(ctx, id, min)) return;
        read(ctx, new Subject("transfer '" + id.value() + "'", id.value()), min.value(), () -> readModel.transfer(id.value()),
                Problem.notFound("transfer '" + id.value() + "' does not exist"));
    }

    /** What a read is about: for a problem's text, and the aggregate whose partition its rows come from. */
    private record Subject(String description, String aggregateId) {
    }

    private static Subject account(String accountId) {
        return new Subject("account '" + accountId + "'", accountId);
    }

    /**
     * Waits for the position if one was named, then runs the query on the read executor. A read whose
     * rows, or whose position, lie on a partition the read model is stuck on answers 503 instead: its
     * answer would be stale (a position there would never be reached, so that wait answers at once).
     */
    private <T> void read(Context ctx, Subject subject, LedgerPosition min, Supplier<Optional<T>> query,
                          Problem notFound) {
        long waitMs = WaitPreference.waitMs(ctx.header(WaitPreference.HEADER), false);
        Replies.async(ctx, () -> stuckPosition(min).thenCompose(stuckAt -> {
            if (stuckAt.isPresent()) {
                Replies.problem(ctx, Problem.readModelStuck("Ledger-Min-Position names an aggregate that", stuckAt.get()));
                return CompletableFuture.completedFuture(null);
            }
            return positions.await(min, waitMs).thenCompose(reached -> {
                if (!reached) {
                    Replies.problem(ctx, Problem.readModelBehind());
                    return CompletableFuture.completedFuture(null);
                }
                return CompletableFuture.supplyAsync(() -> answer(ctx, subject, query, notFound), readExecutor)
                        .thenAccept(Runnable::run);
            });
        }));
    }

    private CompletableFuture<Optional<StuckPartitions.Stuck>> stuckPosition(LedgerPosition min) {
        if (min.isEmpty()) return CompletableFuture.completedFuture(Optional.empty());
        return CompletableFuture.supplyAsync(() -> stuck.firstOf(min.seqByAccount().keySet()), readExecutor);
    }

    /** Runs on the read executor; the reply it returns is written by the caller. */
    private <T> Runnable answer(Context ctx, Subject subject, Supplier<Optional<T>> query, Problem notFound) {
        Optional<StuckPartitions.Stuck> stuckAt = stuck.of(subject.aggregateId());
        if (stuckAt.isPresent()) return () -> Replies.problem(ctx, Problem.readModelStuck(subject.description(), stuckAt.get()));
        Optional<T> found = query.get();
        return () -> found.ifPresentOrElse(view -> Replies.json(ctx, 200, view), () -> Replies.problem(ctx, notFound));
    }

    private static boolean invalid(Context ctx, Validated<?>... parts) {
        List<FieldError> errors = Validated.errorsOf(parts);
        if (errors.isEmpty()) return false;
        Replies.problem(ctx, Problem.invalidRequest(errors));
        return true;
    }

    private static Problem accountNotFound(String accountId) {
        return Problem.notFound("account '" + accountId + "' does not exist");
    }

    private static Validated<LedgerPosition> minPosition(Context ctx) {
        String token = ctx.header(LedgerPosition.MIN_HEADER);
        if (token == null) return Validated.ok(LedgerPosition.EMPTY);
        try {
            return Validated.ok(LedgerPosition.parse(token));
        } catch (IllegalArgumentException e) {
            return Validated.invalid(LedgerPosition.MIN_HEADER, "is not a position token: " + e.getMessage());
        }
    }

    static Validated<Integer> limit(String value) {
        if (value == null) return Validated.ok(DEFAULT_PAGE_SIZE);
        if (DIGITS.matcher(value).matches()) {
            long limit = Long.parseLong(value);
            if (limit >= 1 && limit <= MAX_PAGE_SIZE) return Validated.ok((int) limit);
        }
        return Validated.invalid("limit", "must be an integer from 1 to " + MAX_PAGE_SIZE);
    }

    /** The cursor is the last account_seq of the previous page; clients treat it as opaque. */
    static Validated<Long> cursor(String value) {
        if (value == null) return Validated.ok(0L);
        if (DIGITS.matcher(value).matches()) return Validated.ok(Long.parseLong(value));
        return Validated.invalid("after", "is not a cursor this server issued");
    }

    /** RFC 3339; absent means now. A '+' of an offset sent unencoded arrives as a space: read it back. */
    private Validated<Instant> instant(String value) {
        if (value == null) return Validated.ok(clock.instant());
        try {
            return Validated.ok(OffsetDateTime.parse(value.strip().replace(' ', '+')).toInstant());
        } catch (DateTimeParseException e) {
            return Validated.invalid("asOf", "must be an RFC 3339 timestamp, e.g. 2026-11-22T10:00:00Z");
        }
    }
}
