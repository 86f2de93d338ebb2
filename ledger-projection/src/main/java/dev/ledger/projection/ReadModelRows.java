package dev.ledger.projection;

import dev.ledger.domain.Reason;
import dev.ledger.domain.account.Balances;

import java.time.Instant;

/** The rows of the read model as the fold sees them: what changes, plus what a new row is created from. */
final class ReadModelRows {
    private ReadModelRows() {
    }

    enum AccountStatus { OPEN, CLOSED }

    enum TransferStatus { PENDING, COMPLETED, REJECTED }

    /** The mutable part of an {@code accounts} row; {@code seq} is the last account event projected. */
    record AccountRow(String accountId, AccountStatus status, Balances balances, long seq, Instant updatedAt) {
        AccountRow next(Balances newBalances, long newSeq, Instant at) {
            return new AccountRow(accountId, status, newBalances, newSeq, at);
        }

        AccountRow closed(long newSeq, Instant at) {
            return new AccountRow(accountId, AccountStatus.CLOSED, balances, newSeq, at);
        }
    }

    /** One statement line: a posted movement. {@code amount} is signed: + credit, - captured debit. */
    record EntryRow(String entryId, String accountId, long accountSeq, String transferId, long amount,
                    long balanceAfter, Instant occurredAt) {
    }

    /** The mutable part of a {@code transfers} row. */
    record TransferRow(String transferId, TransferStatus status, Reason reason, Instant completedAt, long seq) {
    }
}
