package dev.ledger.projection;

import dev.ledger.domain.LedgerEvent;
import dev.ledger.domain.account.AccountEvent;
import dev.ledger.domain.account.AccountEvent.AccountClosed;
import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.domain.account.AccountEvent.AccountDebited;
import dev.ledger.domain.account.AccountEvent.AccountOpened;
import dev.ledger.domain.account.AccountEvent.FundsReserved;
import dev.ledger.domain.account.AccountEvent.ReservationCaptured;
import dev.ledger.domain.account.AccountEvent.ReservationReleased;
import dev.ledger.domain.account.Balances;
import dev.ledger.domain.transfer.TransferEvent;
import dev.ledger.domain.transfer.TransferEvent.TransferCompleted;
import dev.ledger.domain.transfer.TransferEvent.TransferInitiated;
import dev.ledger.domain.transfer.TransferEvent.TransferRejected;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.projection.ReadModelRows.AccountRow;
import dev.ledger.projection.ReadModelRows.AccountStatus;
import dev.ledger.projection.ReadModelRows.EntryRow;
import dev.ledger.projection.ReadModelRows.TransferRow;
import dev.ledger.projection.ReadModelRows.TransferStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Folds a batch of events onto the rows they touch, in memory, with no SQL: the pure half of the sink.
 * Each aggregate's events arrive in seq order (one partition, one writer), so the per-aggregate
 * {@code seq} decides everything: at or below the row's seq is a redelivery and changes nothing, the
 * next one applies, anything further is a gap, which means lost data and halts the projection.
 * Counters move only through {@link Balances}, whose arithmetic is overflow-checked.
 */
final class BatchFold {

    /** What the batch changes, ready for SQL; {@code applied + duplicates} is the batch size. */
    record Changes(List<AccountInsert> accountInserts, List<AccountUpdate> accountUpdates, List<EntryRow> entries,
                   List<TransferInsert> transferInserts, List<TransferUpdate> transferUpdates,
                   int applied, int duplicates) {
    }

    /** An account opened in this batch: inserted once, as it stands at the batch's end. */
    record AccountInsert(AccountOpened opened, Instant openedAt, AccountRow row) {
    }

    /** A projected account moved on; {@code expectedSeq} is the seq it was loaded with. */
    record AccountUpdate(AccountRow row, long expectedSeq) {
    }

    /** A transfer initiated in this batch, as it stands at the batch's end. */
    record TransferInsert(TransferInitiated initiated, Instant createdAt, TransferRow row) {
    }

    record TransferUpdate(TransferRow row, long expectedSeq) {
    }

    private final Map<String, AccountRow> accounts;
    private final Map<String, Long> loadedAccountSeqs = new LinkedHashMap<>();
    private final Map<String, EventEnvelope> openings = new LinkedHashMap<>();
    private final Set<String> updatedAccounts = new LinkedHashSet<>();
    private final List<EntryRow> entries = new ArrayList<>();
    private final Map<String, TransferRow> transfers;
    private final Map<String, Long> loadedTransferSeqs = new LinkedHashMap<>();
    private final Map<String, EventEnvelope> initiations = new LinkedHashMap<>();
    private final Set<String> updatedTransfers = new LinkedHashSet<>();
    private int applied;
    private int duplicates;

    private BatchFold(Map<String, AccountRow> accounts, Map<String, TransferRow> transfers) {
        this.accounts = new LinkedHashMap<>(accounts);
        this.transfers = new LinkedHashMap<>(transfers);
        accounts.forEach((id, row) -> loadedAccountSeqs.put(id, row.seq()));
        transfers.forEach((id, row) -> loadedTransferSeqs.put(id, row.seq()));
    }

    /**
     * @param accounts  the current rows of the accounts the batch touches (absent: not projected yet)
     * @param transfers the current rows of the transfers the batch touches
     * @throws ProjectionHaltedException on a gap, an impossible event, or a counter overflow
     */
    static Changes fold(Map<String, AccountRow> accounts, Map<String, TransferRow> transfers,
                        List<EventEnvelope> events) {
        BatchFold fold = new BatchFold(accounts, transfers);
        for (EventEnvelope envelope : events) fold.apply(envelope);
        return fold.changes();
    }

    private void apply(EventEnvelope envelope) {
        LedgerEvent event = envelope.event();
        if (!event.aggregateId().equals(envelope.aggregateId())) {
            throw halt(envelope, "the event belongs to '" + event.aggregateId() + "'");
        }
        switch (event) {
            case AccountEvent e -> applyAccount(envelope, e);
            case TransferEvent e -> applyTransfer(envelope, e);
            default -> throw halt(envelope, "the projection does not know this kind of event");
        }
    }

    private void applyAccount(EventEnvelope envelope, AccountEvent event) {
        String id = event.accountId();
        AccountRow row = accounts.get(id);
        if (!isNext(envelope, row == null ? 0 : row.seq())) return;
        long seq = envelope.seq();
        Instant at = envelope.occurredAt();
        AccountRow next;
        if (row == null) {
            if (!(event instanceof AccountOpened)) throw halt(envelope, "the account was never opened");
            openings.put(id, envelope);
            next = new AccountRow(id, AccountStatus.OPEN, Balances.ZERO, seq, at);
        } else {
            try {
                next = switch (event) {
                    case AccountOpened e -> throw halt(envelope, "the account is open already");
                    case AccountClosed e -> row.closed(seq, at);
                    case FundsReserved e -> row.next(row.balances().reserve(e.amount()), seq, at);
                    case ReservationReleased e -> row.next(row.balances().release(e.amount()), seq, at);
                    case AccountCredited e -> posted(envelope, row, e.transferId(), e.amount(),
                            row.balances().credit(e.amount()));
                    case AccountDebited e -> posted(envelope, row, e.transferId(),
                            Math.negateExact(e.amount()), row.balances().debit(e.amount()));
                    case ReservationCaptured e -> posted(envelope, row, e.transferId(),
                            Math.negateExact(e.amount()), row.balances().capture(e.amount()));
                };
            } catch (ArithmeticException overflow) {
                throw new ProjectionHaltedException("cannot project " + describe(envelope)
                        + ": it overflows a counter of account " + id, overflow);
            }
            if (!openings.containsKey(id)) updatedAccounts.add(id);
        }
        accounts.put(id, next);
        applied++;
    }

    /** A posted movement: the counters move and the statement gains a line with the balance after it. */
    private AccountRow posted(EventEnvelope envelope, AccountRow row, String transferId, long signedAmount,
                              Balances after) {
        entries.add(new EntryRow(envelope.eventId(), row.accountId(), envelope.seq(), transferId, signedAmount,
                after.balance(), envelope.occurredAt()));
        return row.next(after, envelope.seq(), envelope.occurredAt());
    }

    private void applyTransfer(EventEnvelope envelope, TransferEvent event) {
        String id = event.transferId();
        TransferRow row = transfers.get(id);
        if (!isNext(envelope, row == null ? 0 : row.seq())) return;
        long seq = envelope.seq();
        Instant at = envelope.occurredAt();
        TransferRow next;
        if (row == null) {
            if (!(event instanceof TransferInitiated)) throw halt(envelope, "the transfer was never initiated");
            initiations.put(id, envelope);
            next = new TransferRow(id, TransferStatus.PENDING, null, null, seq);
        } else {
            if (row.status() != TransferStatus.PENDING) throw halt(envelope, "the transfer is " + row.status());
            next = switch (event) {
                case TransferInitiated e -> throw halt(envelope, "the transfer was initiated already");
                case TransferCompleted e -> new TransferRow(id, TransferStatus.COMPLETED, null, at, seq);
                case TransferRejected e -> new TransferRow(id, TransferStatus.REJECTED, e.reason(), at, seq);
            };
            if (!initiations.containsKey(id)) updatedTransfers.add(id);
        }
        transfers.put(id, next);
        applied++;
    }

    /** True when the event is its aggregate's next; false for a redelivery; a gap halts. */
    private boolean isNext(EventEnvelope envelope, long projectedSeq) {
        if (envelope.seq() <= projectedSeq) {
            duplicates++;
            return false;
        }
        if (envelope.seq() != projectedSeq + 1) {
            throw new ProjectionHaltedException("gap in " + envelope.aggregateId() + ": projected up to seq "
                    + projectedSeq + ", next comes " + describe(envelope)
                    + "; the events in between are missing and will not be skipped");
        }
        return true;
    }

    private Changes changes() {
        List<AccountInsert> accountInserts = new ArrayList<>();
        openings.forEach((id, opening) -> accountInserts.add(
                new AccountInsert((AccountOpened) opening.event(), opening.occurredAt(), accounts.get(id))));
        List<AccountUpdate> accountUpdates = new ArrayList<>();
        updatedAccounts.forEach(id -> accountUpdates.add(new AccountUpdate(accounts.get(id), loadedAccountSeqs.get(id))));
        List<TransferInsert> transferInserts = new ArrayList<>();
        initiations.forEach((id, initiation) -> transferInserts.add(new TransferInsert(
                (TransferInitiated) initiation.event(), initiation.occurredAt(), transfers.get(id))));
        List<TransferUpdate> transferUpdates = new ArrayList<>();
        updatedTransfers.forEach(id ->
                transferUpdates.add(new TransferUpdate(transfers.get(id), loadedTransferSeqs.get(id))));
        return new Changes(List.copyOf(accountInserts), List.copyOf(accountUpdates), List.copyOf(entries),
                List.copyOf(transferInserts), List.copyOf(transferUpdates), applied, duplicates);
    }

    private static ProjectionHaltedException halt(EventEnvelope envelope, String why) {
        return new ProjectionHaltedException("cannot project " + describe(envelope) + ": " + why);
    }

    static String describe(EventEnvelope e) {
        return e.type() + " " + e.eventId() + " (" + e.aggregateId() + " seq " + e.seq() + ")";
    }
}
