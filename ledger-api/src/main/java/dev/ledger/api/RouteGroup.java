package dev.ledger.api;

import io.javalin.config.RoutesConfig;

/** A set of endpoints with one job, registered on the server at start (Javalin 7 fixes routes up front). */
interface RouteGroup {
    void register(RoutesConfig routes);
}
