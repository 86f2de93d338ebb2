package dev.ledger.api;

import io.javalin.http.Context;

import java.util.Locale;
import java.util.Optional;

/**
 * Runs before every matched route: finds the request's API key ({@code Authorization: Bearer <key>})
 * and checks the route's rule ({@link AccessPolicy}) before the route reads the body or sends
 * anything. Refused: {@code 401} with {@code WWW-Authenticate} without a valid key, {@code 403} with
 * one that may not do this. The key itself is never logged or echoed.
 */
final class Authenticator {
    static final String HEADER = "Authorization";
    static final String CHALLENGE_HEADER = "WWW-Authenticate";
    private static final String SCHEME = "bearer ";
    private static final String PRINCIPAL_ATTRIBUTE = "ledger.principal";

    private final ApiKeyDirectory keys;

    Authenticator(ApiKeyDirectory keys) {
        this.keys = keys;
    }

    /** The Javalin before-matched handler. */
    void check(Context ctx) {
        String method = ctx.method().name();
        String route = ctx.endpoints().matchedHttpEndpoint().path;
        if (AccessPolicy.OPEN_ROUTE.equals(method + " " + route)) return;
        Optional<Principal> principal = authenticate(ctx);
        if (principal.isEmpty()) return;
        Optional<String> refusal = AccessPolicy.refusal(principal.get(), method, route, ctx.pathParamMap());
        if (refusal.isPresent()) {
            refuse(ctx, Problem.forbidden(refusal.get()));
            return;
        }
        ctx.attribute(PRINCIPAL_ATTRIBUTE, principal.get());
    }

    /** Who sent this request; only called by routes behind {@link #check}. */
    static Principal principal(Context ctx) {
        Principal principal = ctx.attribute(PRINCIPAL_ATTRIBUTE);
        if (principal == null) throw new IllegalStateException("no principal: the route is not behind the Authenticator");
        return principal;
    }

    private Optional<Principal> authenticate(Context ctx) {
        String header = ctx.header(HEADER);
        if (header == null) {
            challenge(ctx, null, "send Authorization: Bearer <api key>");
            return Optional.empty();
        }
        if (!header.toLowerCase(Locale.ROOT).startsWith(SCHEME)) {
            challenge(ctx, "invalid_request", "the Authorization header must be Bearer <api key>");
            return Optional.empty();
        }
        String secret = header.substring(SCHEME.length()).strip();
        Optional<Principal> principal = ApiKeySecret.isWellFormed(secret)
                ? keys.find(ApiKeySecret.sha256Hex(secret)) : Optional.empty();
        if (principal.isEmpty()) challenge(ctx, "invalid_token", "the API key is unknown or revoked");
        return principal;
    }

    /** RFC 6750: the challenge names the scheme, and the error once a token was presented. */
    private static void challenge(Context ctx, String error, String detail) {
        ctx.header(CHALLENGE_HEADER, error == null ? "Bearer realm=\"ledger\"" : "Bearer realm=\"ledger\", error=\"" + error + "\"");
        refuse(ctx, Problem.unauthorized(detail));
    }

    private static void refuse(Context ctx, Problem problem) {
        Replies.problem(ctx, problem);
        ctx.skipRemainingHandlers();
    }
}
