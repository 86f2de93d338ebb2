package dev.ledger.audit;

import java.util.Currency;

/**
 * What the accounts recorded about one transfer: its reservation, credit, capture and release, or for a
 * transfer settled whole its debit and credit, each
 * with the account and the sequence number of the event that recorded it. The events of one transfer
 * live on up to three partitions, read by different threads: its facts are only touched under the lock
 * of the transfer's track.
 */
final class SagaFacts {
    /** One account event of the saga; null while not (yet) read. */
    record Step(String accountId, long seq, long amount) {
    }

    Step reserved;
    Step credited;
    /** The credited account's currency: the invariant's in-flight sum is per currency. */
    Currency creditedCurrency;
    Step captured;
    Step released;
    /** The debit posted at once by a transfer settled whole, in place of a reservation and its capture. */
    Step debited;

    /** Whether the debit side has posted the amount: captured, or debited at once. */
    boolean debitPosted() {
        return captured != null || debited != null;
    }

    static Step pick(String transferId, String what, Step mine, Step theirs, Violations violations) {
        if (mine == null) return theirs;
        if (theirs != null) twice(transferId, what, mine, theirs, violations);
        return mine;
    }

    static void twice(String transferId, String what, Step first, Step second, Violations violations) {
        violations.add(AuditCheck.SAGA, second.accountId(), second.seq(), null, null, what + " of transfer "
                + transferId + " is recorded twice: also on " + first.accountId() + " seq " + first.seq());
    }
}
