package dev.ledger.projection;

import dev.ledger.domain.Reason;
import dev.ledger.domain.account.AccountEvent;
import dev.ledger.domain.account.AccountEvent.AccountOpened;
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
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes one batch of events into the read model in one PostgreSQL transaction: one query loads the
 * touched accounts, one the touched transfers, {@link BatchFold} folds the batch in memory, and JDBC
 * batches write the result (one round trip per statement kind, rewritten into multi-row inserts when the
 * data source sets {@code reWriteBatchedInserts=true}). Idempotent: a redelivered event changes nothing.
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
    private static final String INSERT_ACCOUNT = """
            INSERT INTO accounts (account_id, currency, status, overdraft_limit, unlimited_overdraft, metadata,
                debits_pending, debits_posted, credits_pending, credits_posted, seq, opened_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?)""";
    private static final String UPDATE_ACCOUNT = """
            UPDATE accounts SET status = ?, debits_pending = ?, debits_posted = ?, credits_pending = ?,
                credits_posted = ?, seq = ?, updated_at = ?
            WHERE account_id = ? AND seq = ?""";
    private static final String INSERT_ENTRY = """
            INSERT INTO entries (entry_id, account_id, account_seq, transfer_id, amount, balance_after, occurred_at)
            VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (entry_id) DO NOTHING""";
    private static final String INSERT_TRANSFER = """
            INSERT INTO transfers (transfer_id, debit_account_id, credit_account_id, amount, currency, reference,
                metadata, status, reason, created_at, completed_at, seq)
            VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?)""";
    private static final String UPDATE_TRANSFER = """
            UPDATE transfers SET status = ?, reason = ?, completed_at = ?, seq = ?
            WHERE transfer_id = ? AND seq = ?""";

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
        try (PreparedStatement insert = c.prepareStatement(INSERT_ACCOUNT)) {
            for (AccountInsert a : inserts) {
                AccountOpened opened = a.opened();
                AccountRow row = a.row();
                insert.setString(1, opened.accountId());
                insert.setString(2, opened.currency().getCurrencyCode());
                insert.setString(3, row.status().name());
                insert.setLong(4, opened.overdraftLimit());
                insert.setBoolean(5, opened.unlimitedOverdraft());
                insert.setString(6, json(opened.metadata()));
                setBalances(insert, 7, row.balances());
                insert.setLong(11, row.seq());
                insert.setObject(12, timestamp(a.openedAt()));
                insert.setObject(13, timestamp(row.updatedAt()));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void updateAccounts(Connection c, List<AccountUpdate> updates) throws SQLException {
        if (updates.isEmpty()) return;
        try (PreparedStatement update = c.prepareStatement(UPDATE_ACCOUNT)) {
            for (AccountUpdate u : updates) {
                AccountRow row = u.row();
                update.setString(1, row.status().name());
                setBalances(update, 2, row.balances());
                update.setLong(6, row.seq());
                update.setObject(7, timestamp(row.updatedAt()));
                update.setString(8, row.accountId());
                update.setLong(9, u.expectedSeq());
                update.addBatch();
            }
            requireOneRowEach(update.executeBatch(), "account");
        }
    }

    private static void insertEntries(Connection c, List<EntryRow> entries) throws SQLException {
        if (entries.isEmpty()) return;
        try (PreparedStatement insert = c.prepareStatement(INSERT_ENTRY)) {
            for (EntryRow e : entries) {
                insert.setString(1, e.entryId());
                insert.setString(2, e.accountId());
                insert.setLong(3, e.accountSeq());
                insert.setString(4, e.transferId());
                insert.setLong(5, e.amount());
                insert.setLong(6, e.balanceAfter());
                insert.setObject(7, timestamp(e.occurredAt()));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void insertTransfers(Connection c, List<TransferInsert> inserts) throws SQLException {
        if (inserts.isEmpty()) return;
        try (PreparedStatement insert = c.prepareStatement(INSERT_TRANSFER)) {
            for (TransferInsert t : inserts) {
                TransferInitiated initiated = t.initiated();
                TransferRow row = t.row();
                insert.setString(1, initiated.transferId());
                insert.setString(2, initiated.debitAccountId());
                insert.setString(3, initiated.creditAccountId());
                insert.setLong(4, initiated.amount());
                insert.setString(5, initiated.currency().getCurrencyCode());
                insert.setString(6, initiated.reference());
                insert.setString(7, json(initiated.metadata()));
                setTransferState(insert, 8, row);
                insert.setObject(10, timestamp(t.createdAt()));
                insert.setObject(11, timestamp(row.completedAt()), Types.TIMESTAMP_WITH_TIMEZONE);
                insert.setLong(12, row.seq());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void updateTransfers(Connection c, List<TransferUpdate> updates) throws SQLException {
        if (updates.isEmpty()) return;
        try (PreparedStatement update = c.prepareStatement(UPDATE_TRANSFER)) {
            for (TransferUpdate u : updates) {
                TransferRow row = u.row();
                setTransferState(update, 1, row);
                update.setObject(3, timestamp(row.completedAt()), Types.TIMESTAMP_WITH_TIMEZONE);
                update.setLong(4, row.seq());
                update.setString(5, row.transferId());
                update.setLong(6, u.expectedSeq());
                update.addBatch();
            }
            requireOneRowEach(update.executeBatch(), "transfer");
        }
    }

    private static void setBalances(PreparedStatement s, int first, Balances b) throws SQLException {
        s.setLong(first, b.debitsPending());
        s.setLong(first + 1, b.debitsPosted());
        s.setLong(first + 2, b.creditsPending());
        s.setLong(first + 3, b.creditsPosted());
    }

    private static void setTransferState(PreparedStatement s, int first, TransferRow row) throws SQLException {
        s.setString(first, row.status().name());
        s.setString(first + 1, row.reason() == null ? null : row.reason().name());
    }

    /**
     * The rows were loaded FOR UPDATE, so an update that misses means the row moved anyway (someone
     * bypassed the lock): fail as a serialization conflict, which the flush retries from a fresh load.
     */
    private static void requireOneRowEach(int[] counts, String what) throws SQLException {
        for (int count : counts) {
            if (count != 1) {
                throw new SQLException(what + " row changed under the flush (update matched " + count
                        + " rows)", SERIALIZATION_FAILURE);
            }
        }
    }

    private static String json(Map<String, String> metadata) {
        return new String(LedgerJson.writeValue(metadata), StandardCharsets.UTF_8);
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
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
