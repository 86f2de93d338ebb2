package dev.ledger.api;

import dev.ledger.domain.Outcome;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Writing replies, and the one place where a failure becomes a status code. */
final class Replies {
    static final String REPLAYED_HEADER = "Idempotent-Replayed";
    private static final Logger log = LoggerFactory.getLogger(Replies.class);

    private Replies() {
    }

    static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType(ApiJson.CONTENT_TYPE).result(ApiJson.write(body));
    }

    static void problem(Context ctx, Problem problem) {
        // a stuck partition waits for an operator, not for the next commit: ask for a slower retry
        if (problem.status() == 429 || problem.status() == 503) ctx.header("Retry-After", problem.stuck() == null ? "1" : "30");
        ctx.status(problem.status()).contentType(Problem.CONTENT_TYPE).result(ApiJson.write(problem));
    }

    /**
     * Hands the request to Javalin's async mode ({@code ctx.future}): the request thread returns at
     * once and the reply is written when the work completes. Any failure, thrown now or later, is
     * answered as a problem.
     */
    static void async(Context ctx, Supplier<CompletableFuture<?>> work) {
        CompletableFuture<?> started;
        try {
            started = work.get();
        } catch (RuntimeException e) {
            started = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<?> answered = started.exceptionally(error -> {
            failure(ctx, error);
            return null;
        });
        ctx.future(() -> answered);
    }

    static void failure(Context ctx, Throwable error) {
        Throwable cause = unwrap(error);
        switch (cause) {
            case TooManyWaitingException e -> problem(ctx, Problem.tooManyRequests());
            case RejectedExecutionException e -> problem(ctx, Problem.tooManyRequests());
            case UnavailableException e -> problem(ctx, Problem.unavailable(e.getMessage()));
            case ReadModel.ReadModelException e -> {
                log.warn("{} {}: {}", ctx.method(), ctx.path(), e.getMessage());
                problem(ctx, Problem.unavailable("the read model is unavailable"));
            }
            case TimeoutException e -> problem(ctx, Problem.unavailable("a dependency did not answer in time"));
            default -> {
                log.error("{} {} failed", ctx.method(), ctx.path(), cause);
                problem(ctx, Problem.internalError());
            }
        }
    }

    /** The processor answered something this request cannot be answered with: a bug, said loudly. */
    static void unexpected(Context ctx, Outcome outcome) {
        log.error("{} {}: unexpected outcome {}", ctx.method(), ctx.path(), outcome);
        problem(ctx, Problem.internalError());
    }

    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
