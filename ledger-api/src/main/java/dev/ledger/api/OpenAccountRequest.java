package dev.ledger.api;

import dev.ledger.domain.account.AccountCommand.OpenAccount;

import java.util.Currency;
import java.util.Map;

/** A valid {@code POST /v1/accounts} body. {@code accountId} is null when the client named none. */
record OpenAccountRequest(String accountId, Currency currency, long overdraftLimit, boolean unlimitedOverdraft,
                          Map<String, String> metadata) {

    OpenAccount toCommand(String id) {
        return new OpenAccount(id, currency, overdraftLimit, unlimitedOverdraft, metadata);
    }
}
