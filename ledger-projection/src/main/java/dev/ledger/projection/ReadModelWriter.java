package dev.ledger.projection;

import dev.ledger.domain.Reason;
import dev.ledger.domain.account.AccountEvent;
import dev.ledger.domain.account.Balances;
import dev.ledger.domain.transfer.TransferEvent;
import dev.ledger.domain.transfer.TransferEvent.TransferInitiated;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.LedgerJson;
import dev.ledger.projection.BatchFold.AccountInsert;
import dev.ledger.projection.BatchFold.AccountUpdate;
import dev.ledger.projection.BatchFold.Changes;
import dev.ledger.projection.BatchFold.TransferInsert;
import dev.ledger.projection.BatchFold.TransferUpdate;
import dev.ledger.projection.ReadModelRows.AccountRow;
import dev.ledger.projection.ReadModelRows.AccountStatus;
import dev.ledger.projection.ReadModelRows.EntryRow;
import dev.ledger.projection.ReadModelRows.TransferRow;
import dev.ledger.projection.ReadModelRows.TransferStatus;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.ledger.projection.SqlArrays.booleans;
import static dev.ledger.projection.SqlArrays.longs;
import static dev.ledger.projection.SqlArrays.texts;
import static dev.ledger.projection.SqlArrays.timestamps;

/**
 * Writes one batch of events into the read model in one PostgreSQL transaction: one query loads the
 * touched accounts, one the touched transfers, {@link BatchFold} folds the batch in memory, and one
 * statement per kind writes the result: the insert-only rows (entries, new transfers) as one binary COPY
 * each ({@link BinaryCopy}), the others as one statement with every row of the kind in it as arrays
 * ({@link SqlArrays}): at most seven round trips per batch, whatever its size. Idempotent: a redelivered event
 * changes nothing.
 * Table names are unqualified: the connection's {@code currentSchema} picks the read model's schema.
 */
public final class ReadModelWriter {

    /** More work for the same transaction as a batch's rows (parking or un-parking events). */
    @FunctionalInterface
    interface TransactionStep {
        TransactionStep NONE = connection -> {
        };

        void run(Connection connection) throws SQLException;
    }

    /** What one {@link #apply} did. */
    public record Result(int applied, int duplicates, int entriesWritten) {
    }

    // FOR UPDATE: a zombie owner of the same partition (at-least-once rebalance) flushing concurrently
    // waits here instead of folding from a stale row; ORDER BY keeps the lock order deadlock-free.
    private static final String LOAD_ACCOUNTS = """
            SELECT account_id, status, debits_pending, debits_posted, credits_pending, credits_posted, seq, updated_at
            FROM accounts WHERE account_id = ANY(?) ORDER BY account_id FOR UPDATE""";
    private static final String LOAD_TRANSFERS = """
            SELECT transfer_id, status, reason, completed_at, seq
            FROM transfers WHERE transfer_id = ANY(?) ORDER BY transfer_id FOR UPDATE""";
    // One statement per kind, each row an element of the column arrays (SqlArrays).
    private static final String INSERT_ACCOUNTS = """
            INSERT INTO accounts (account_id, currency, status, overdraft_limit, unlimited_overdraft, metadata,
                debits_pending, debits_posted, credits_pending, credits_posted, seq, opened_at, updated_at)
            SELECT account_id, currency, status, overdraft_limit, unlimited_overdraft, metadata::jsonb,
                debits_pending, debits_posted, credits_pending, credits_posted, seq, opened_at, updated_at
            FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::boolean[], ?::text[],
                ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::timestamptz[], ?::timestamptz[])
                AS v (account_id, currency, status, overdraft_limit, unlimited_overdraft, metadata,
                    debits_pending, debits_posted, credits_pending, credits_posted, seq, opened_at, updated_at)""";
    // The optimistic check: a row is updated only at the seq it was loaded with (expected_seq); the
    // caller compares the updated row count with the batch's (account ids are unique within it).
    private static final String UPDATE_ACCOUNTS = """
            UPDATE accounts AS a SET status = v.status, debits_pending = v.debits_pending,
                debits_posted = v.debits_posted, credits_pending = v.credits_pending,
                credits_posted = v.credits_posted, seq = v.seq, updated_at = v.updated_at
            FROM unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[],
                ?::timestamptz[], ?::bigint[])
                AS v (account_id, status, debits_pending, debits_posted, credits_pending, credits_posted, seq,
                    updated_at, expected_seq)
            WHERE a.account_id = v.account_id AND a.seq = v.expected_seq""";
    // Entries and new transfers are insert-only: COPY (BinaryCopy). BatchFold lets only an account's next
    // seq through, so a redelivered event never reaches the entries; a transfer is copied only when the
    // locked load found no row for it, and a zombie owner's identical copy racing it fails on the
    // primary key, which the flush retries from a fresh load (ReadModelFlusher).
    private static final String COPY_ENTRIES = """
            COPY entries (entry_id, account_id, account_seq, transfer_id, amount, balance_after, occurred_at)
            FROM STDIN (FORMAT binary)""";
    private static final String COPY_TRANSFERS = """
            COPY transfers (transfer_id, debit_account_id, credit_account_id, amount, currency, reference,
                metadata, status, reason, created_at, completed_at, seq)
            FROM STDIN (FORMAT binary)""";
    private static final String UPDATE_TRANSFERS = """
            UPDATE transfers AS t SET status = v.status, reason = v.reason, completed_at = v.completed_at,
                seq = v.seq
            FROM unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::bigint[], ?::bigint[])
                AS v (transfer_id, status, reason, completed_at, seq, expected_seq)
            WHERE t.transfer_id = v.transfer_id AND t.seq = v.expected_seq""";

    /** SQLSTATE serialization_failure: the caller's retry reloads the rows and folds again. */
    static final String SERIALIZATION_FAILURE = "40001";

    private final DataSource dataSource;
    private final int attemptTimeoutMs;

    public ReadModelWriter(DataSource dataSource) {
        this(dataSource, (int) ProjectionSettings.DEFAULTS.attemptTimeoutMs());
    }

    /** @param attemptTimeoutMs bound on any network read of one {@link #apply}, so a hung server cannot stall it */
    public ReadModelWriter(DataSource dataSource, int attemptTimeoutMs) {
        this.dataSource = dataSource;
        this.attemptTimeoutMs = attemptTimeoutMs;
    }

    /**
     * Applies the events, in order, in one transaction: all of them or none.
     *
     * @throws SQLException               PostgreSQL failed; the transaction was rolled back
     * @throws ProjectionHaltedException a gap, an impossible event or an overflow; nothing was written
     */
    public Result apply(List<EventEnvelope> events) throws SQLException {
        return apply(events, TransactionStep.NONE);
    }

    /** As {@link #apply(List)}, and runs {@code alsoInTransaction} in the same transaction, after the rows. */
    Result apply(List<EventEnvelope> events, TransactionStep alsoInTransaction) throws SQLException {
        if (events.isEmpty() && alsoInTransaction == TransactionStep.NONE) return new Result(0, 0, 0);
        try (Connection connection = dataSource.getConnection()) {
            connection.setNetworkTimeout(Runnable::run, attemptTimeoutMs);
            connection.setAutoCommit(false);
            try {
                Changes changes = BatchFold.fold(loadAccounts(connection, accountIds(events)),
                        loadTransfers(connection, transferIds(events)), events);
                insertAccounts(connection, changes.accountInserts());
                updateAccounts(connection, changes.accountUpdates());
                insertEntries(connection, changes.entries());
                insertTransfers(connection, changes.transferInserts());
                updateTransfers(connection, changes.transferUpdates());
                alsoInTransaction.run(connection);
                connection.commit();
                return new Result(changes.applied(), changes.duplicates(), changes.entries().size());
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection, e);
                throw e;
            }
        }
    }

    private static Set<String> accountIds(List<EventEnvelope> events) {
        Set<String> ids = new LinkedHashSet<>();
        for (EventEnvelope e : events) if (e.event() instanceof AccountEvent a) ids.add(a.accountId());
        return ids;
    }

    private static Set<String> transferIds(List<EventEnvelope> events) {
        Set<String> ids = new LinkedHashSet<>();
        for (EventEnvelope e : events) if (e.event() instanceof TransferEvent t) ids.add(t.transferId());
        return ids;
    }

    private static Map<String, AccountRow> loadAccounts(Connection c, Set<String> ids) throws SQLException {
        Map<String, AccountRow> rows = new LinkedHashMap<>();
        if (ids.isEmpty()) return rows;
        try (PreparedStatement select = c.prepareStatement(LOAD_ACCOUNTS)) {
            select.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString("account_id");
                    rows.put(id, new AccountRow(id, AccountStatus.valueOf(rs.getString("status")),
                            new Balances(rs.getLong("debits_pending"), rs.getLong("debits_posted"),
                                    rs.getLong("credits_pending"), rs.getLong("credits_posted")),
                            rs.getLong("seq"), instant(rs, "updated_at")));
                }
            }
        }
        return rows;
    }

    private static Map<String, TransferRow> loadTransfers(Connection c, Set<String> ids) throws SQLException {
        Map<String, TransferRow> rows = new LinkedHashMap<>();
        if (ids.isEmpty()) return rows;
        try (PreparedStatement select = c.prepareStatement(LOAD_TRANSFERS)) {
            select.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString("transfer_id");
                    String reason = rs.getString("reason");
                    rows.put(id, new TransferRow(id, TransferStatus.valueOf(rs.getString("status")),
                            reason == null ? null : Reason.valueOf(reason), instant(rs, "completed_at"),
                            rs.getLong("seq")));
                }
            }
        }
        return rows;
    }

    private static void insertAccounts(Connection c, List<AccountInsert> inserts) throws SQLException {
        if (inserts.isEmpty()) return;
        try (PreparedStatement insert = c.prepareStatement(INSERT_ACCOUNTS)) {
            insert.setArray(1, texts(c, inserts, a -> a.opened().accountId()));
            insert.setArray(2, texts(c, inserts, a -> a.opened().currency().getCurrencyCode()));
            insert.setArray(3, texts(c, inserts, a -> a.row().status().name()));
            insert.setArray(4, longs(c, inserts, a -> a.opened().overdraftLimit()));
            insert.setArray(5, booleans(c, inserts, a -> a.opened().unlimitedOverdraft()));
            insert.setArray(6, texts(c, inserts, a -> json(a.opened().metadata())));
            setBalances(c, insert, 7, inserts.stream().map(a -> a.row().balances()).toList());
            insert.setArray(11, longs(c, inserts, a -> a.row().seq()));
            insert.setArray(12, timestamps(c, inserts, AccountInsert::openedAt));
            insert.setArray(13, timestamps(c, inserts, a -> a.row().updatedAt()));
            insert.executeUpdate();
        }
    }

    private static void updateAccounts(Connection c, List<AccountUpdate> updates) throws SQLException {
        if (updates.isEmpty()) return;
        try (PreparedStatement update = c.prepareStatement(UPDATE_ACCOUNTS)) {
            update.setArray(1, texts(c, updates, u -> u.row().accountId()));
            update.setArray(2, texts(c, updates, u -> u.row().status().name()));
            setBalances(c, update, 3, updates.stream().map(u -> u.row().balances()).toList());
            update.setArray(7, longs(c, updates, u -> u.row().seq()));
            update.setArray(8, timestamps(c, updates, u -> u.row().updatedAt()));
            update.setArray(9, longs(c, updates, AccountUpdate::expectedSeq));
            requireEveryRow(update.executeUpdate(), updates.size(), "account");
        }
    }

    private static void insertEntries(Connection c, List<EntryRow> entries) throws SQLException {
        if (entries.isEmpty()) return;
        BinaryCopy rows = new BinaryCopy(7);
        for (EntryRow e : entries) {
            rows.row().text(e.entryId()).text(e.accountId()).int8(e.accountSeq()).text(e.transferId())
                    .int8(e.amount()).int8(e.balanceAfter()).timestamptz(e.occurredAt());
        }
        rows.copyInto(c, COPY_ENTRIES);
    }

    private static void insertTransfers(Connection c, List<TransferInsert> inserts) throws SQLException {
        if (inserts.isEmpty()) return;
        BinaryCopy rows = new BinaryCopy(12);
        for (TransferInsert t : inserts) {
            TransferInitiated initiated = t.initiated();
            TransferRow row = t.row();
            rows.row().text(initiated.transferId()).text(initiated.debitAccountId())
                    .text(initiated.creditAccountId()).int8(initiated.amount())
                    .text(initiated.currency().getCurrencyCode()).text(initiated.reference())
                    .jsonb(json(initiated.metadata())).text(row.status().name())
                    .text(row.reason() == null ? null : row.reason().name())
                    .timestamptz(t.createdAt()).timestamptz(row.completedAt()).int8(row.seq());
        }
        rows.copyInto(c, COPY_TRANSFERS);
    }

    private static void updateTransfers(Connection c, List<TransferUpdate> updates) throws SQLException {
        if (updates.isEmpty()) return;
        try (PreparedStatement update = c.prepareStatement(UPDATE_TRANSFERS)) {
            update.setArray(1, texts(c, updates, u -> u.row().transferId()));
            setTransferState(c, update, 2, updates.stream().map(TransferUpdate::row).toList());
            update.setArray(4, timestamps(c, updates, u -> u.row().completedAt()));
            update.setArray(5, longs(c, updates, u -> u.row().seq()));
            update.setArray(6, longs(c, updates, TransferUpdate::expectedSeq));
            requireEveryRow(update.executeUpdate(), updates.size(), "transfer");
        }
    }

    private static void setBalances(Connection c, PreparedStatement s, int first, List<Balances> b) throws SQLException {
        s.setArray(first, longs(c, b, Balances::debitsPending));
        s.setArray(first + 1, longs(c, b, Balances::debitsPosted));
        s.setArray(first + 2, longs(c, b, Balances::creditsPending));
        s.setArray(first + 3, longs(c, b, Balances::creditsPosted));
    }

    private static void setTransferState(Connection c, PreparedStatement s, int first, List<TransferRow> rows)
            throws SQLException {
        s.setArray(first, texts(c, rows, row -> row.status().name()));
        s.setArray(first + 1, texts(c, rows, row -> row.reason() == null ? null : row.reason().name()));
    }

    /**
     * The rows were loaded FOR UPDATE, so an update that misses a row means the row moved anyway (someone
     * bypassed the lock): fail as a serialization conflict, which the flush retries from a fresh load.
     * Each id appears once in the statement and matches at most one row, so the count names the misses.
     */
    private static void requireEveryRow(int updated, int expected, String what) throws SQLException {
        if (updated != expected) {
            throw new SQLException((expected - updated) + " of " + expected + " " + what
                    + " rows changed under the flush (the update matched " + updated + ")", SERIALIZATION_FAILURE);
        }
    }

    private static String json(Map<String, String> metadata) {
        return new String(LedgerJson.writeValue(metadata), StandardCharsets.UTF_8);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static void rollbackQuietly(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            cause.addSuppressed(rollbackFailure);
        }
    }
}
