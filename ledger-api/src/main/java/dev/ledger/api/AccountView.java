package dev.ledger.api;

import java.util.Map;

/**
 * An account as the API shows it. {@code available} is null for an unlimited (settlement) account:
 * there is no bound to show. Every sum is overflow-checked: a wrong balance is worse than an error.
 */
record AccountView(String accountId, String currency, String status, long overdraftLimit, boolean unlimitedOverdraft,
                   long debitsPosted, long creditsPosted, long debitsPending, long creditsPending,
                   long balance, Long available, Map<String, String> metadata) {

    static AccountView of(String accountId, String currency, String status, long overdraftLimit,
                          boolean unlimitedOverdraft, long debitsPosted, long creditsPosted, long debitsPending,
                          long creditsPending, Map<String, String> metadata) {
        long balance = Math.subtractExact(creditsPosted, debitsPosted);
        Long available = unlimitedOverdraft ? null
                : Math.addExact(Math.subtractExact(balance, debitsPending), overdraftLimit);
        return new AccountView(accountId, currency, status, overdraftLimit, unlimitedOverdraft, debitsPosted,
                creditsPosted, debitsPending, creditsPending, balance, available, metadata);
    }

    /** A newly opened account: the request's attributes and zero counters. */
    static AccountView opened(String accountId, OpenAccountRequest request) {
        return of(accountId, request.currency().getCurrencyCode(), "OPEN", request.overdraftLimit(),
                request.unlimitedOverdraft(), 0, 0, 0, 0, request.metadata());
    }
}
