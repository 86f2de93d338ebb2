package dev.ledger.domain.account;

import java.util.Currency;
import java.util.Map;

/** What an account was opened with; never changes afterwards. */
public record AccountProfile(String accountId, Currency currency, long overdraftLimit, boolean unlimitedOverdraft,
                             Map<String, String> metadata) {
    public AccountProfile {
        metadata = Map.copyOf(metadata);
    }

    static AccountProfile of(AccountEvent.AccountOpened e) {
        return new AccountProfile(e.accountId(), e.currency(), e.overdraftLimit(), e.unlimitedOverdraft(), e.metadata());
    }

    boolean sameAs(AccountCommand.OpenAccount c) {
        return currency.equals(c.currency()) && overdraftLimit == c.overdraftLimit()
                && unlimitedOverdraft == c.unlimitedOverdraft() && metadata.equals(c.metadata());
    }
}
