package dev.ledger.domain.account;

import dev.ledger.domain.LedgerEvent;
import dev.ledger.domain.Reason;

import java.util.Currency;
import java.util.Map;

/** What happened to one account. Only these change its counters. */
public sealed interface AccountEvent extends LedgerEvent {

    String accountId();

    @Override
    default String aggregateId() {
        return accountId();
    }

    record AccountOpened(String accountId, Currency currency, long overdraftLimit, boolean unlimitedOverdraft,
                         Map<String, String> metadata) implements AccountEvent {
        public AccountOpened {
            metadata = Map.copyOf(metadata);
        }
    }

    record AccountClosed(String accountId) implements AccountEvent {
    }

    record FundsReserved(String accountId, String transferId, long amount, String creditAccountId)
            implements AccountEvent {
    }

    record AccountCredited(String accountId, String transferId, long amount, String debitAccountId)
            implements AccountEvent {
    }

    /**
     * The debit side of a transfer posted at once, without a hold: written instead of FundsReserved and
     * ReservationCaptured when the transfer is settled whole in one step ({@code TransferSettlement}).
     */
    record AccountDebited(String accountId, String transferId, long amount, String creditAccountId)
            implements AccountEvent {
    }

    record ReservationCaptured(String accountId, String transferId, long amount, String creditAccountId)
            implements AccountEvent {
    }

    record ReservationReleased(String accountId, String transferId, long amount, Reason reason)
            implements AccountEvent {
    }
}
