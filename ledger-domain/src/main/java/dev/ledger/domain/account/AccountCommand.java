package dev.ledger.domain.account;

import dev.ledger.domain.LedgerCommand;
import dev.ledger.domain.Reason;

import java.util.Currency;
import java.util.Map;

/** Commands addressed to one account, keyed by its id. The last four are the saga's hops. */
public sealed interface AccountCommand extends LedgerCommand {

    String accountId();

    @Override
    default String aggregateId() {
        return accountId();
    }

    record OpenAccount(String accountId, Currency currency, long overdraftLimit, boolean unlimitedOverdraft,
                       Map<String, String> metadata) implements AccountCommand {
        public OpenAccount {
            metadata = Map.copyOf(metadata);
        }
    }

    record CloseAccount(String accountId) implements AccountCommand {
    }

    /** Hold the amount on the debit account, or refuse the transfer. */
    record ReserveFunds(String accountId, String transferId, long amount, Currency currency,
                        String creditAccountId) implements AccountCommand {
    }

    /** Post the amount to the credit account, or refuse it so the debit side releases its hold. */
    record CreditAccount(String accountId, String transferId, long amount, Currency currency,
                         String debitAccountId, long debitAccountSeq) implements AccountCommand {
    }

    /** Turn the debit account's hold into a posted debit: the transfer is then complete. */
    record CaptureReservation(String accountId, String transferId, String creditAccountId,
                              long creditAccountSeq) implements AccountCommand {
    }

    /** Compensation: give back the hold because the credit side refused. */
    record ReleaseReservation(String accountId, String transferId, Reason reason) implements AccountCommand {
    }
}
