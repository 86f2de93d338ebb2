package dev.ledger.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.kafka.CommandResult;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The queries of the read side, against PostgreSQL only. The data source's connections already use
 * the read model's schema, so that a rebuilt projection can be swapped in under another schema.
 * Blocking JDBC: callers run it on the bounded read executor, never on a request thread. The pool bounds
 * every query (ReadModelDataSource.createReadOnly: PostgreSQL cancels a statement past its timeout, a
 * {@link ReadModelException} and a 503), so no statement here sets a timeout of its own.
 */
final class ReadModel {
    private static final TypeReference<LinkedHashMap<String, String>> METADATA = new TypeReference<>() {
    };

    private final DataSource dataSource;
    private final ObjectMapper json = ApiJson.MAPPER;

    ReadModel(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    Optional<AccountView> account(String accountId) {
        return query("""
                SELECT account_id, currency, status, overdraft_limit, unlimited_overdraft, metadata::text AS metadata,
                       debits_pending, debits_posted, credits_pending, credits_posted
                FROM accounts WHERE account_id = ?""", ps -> ps.setString(1, accountId), rs -> {
            if (!rs.next()) return Optional.empty();
            return Optional.of(AccountView.of(rs.getString("account_id"), rs.getString("currency"),
                    rs.getString("status"), rs.getLong("overdraft_limit"), rs.getBoolean("unlimited_overdraft"),
                    rs.getLong("debits_posted"), rs.getLong("credits_posted"), rs.getLong("debits_pending"),
                    rs.getLong("credits_pending"), metadata(rs.getString("metadata"))));
        });
    }

    /** Entries after the cursor, oldest first; empty when the account does not exist. */
    Optional<EntryPage> entries(String accountId, long afterSeq, int limit) {
        return withConnection(connection -> {
            if (!exists(connection, accountId)) return Optional.empty();
            try (PreparedStatement ps = connection.prepareStatement("""
                    SELECT entry_id, transfer_id, amount, balance_after, account_seq, occurred_at
                    FROM entries WHERE account_id = ? AND account_seq > ?
                    ORDER BY account_seq LIMIT ?""")) {
                ps.setString(1, accountId);
                ps.setLong(2, afterSeq);
                ps.setInt(3, limit + 1); // one more than asked tells whether another page exists
                var entries = new ArrayList<EntryView>();
                boolean more = false;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (entries.size() == limit) {
                            more = true;
                            break;
                        }
                        entries.add(new EntryView(rs.getString("entry_id"), rs.getString("transfer_id"),
                                rs.getLong("amount"), rs.getLong("balance_after"), rs.getLong("account_seq"),
                                timestamp(rs, "occurred_at")));
                    }
                }
                String next = more ? Long.toString(entries.getLast().accountSeq()) : null;
                return Optional.of(new EntryPage(entries, next));
            }
        });
    }

    /** The balance after the last entry at or before {@code asOf}, or 0; empty when the account does not exist. */
    Optional<BalanceView> balanceAsOf(String accountId, Instant asOf) {
        return query("""
                SELECT a.currency,
                       (SELECT e.balance_after FROM entries e
                        WHERE e.account_id = a.account_id AND e.occurred_at <= ?
                        ORDER BY e.account_seq DESC LIMIT 1) AS balance_after
                FROM accounts a WHERE a.account_id = ?""", ps -> {
            ps.setObject(1, OffsetDateTime.ofInstant(asOf, ZoneOffset.UTC));
            ps.setString(2, accountId);
        }, rs -> {
            if (!rs.next()) return Optional.empty();
            long balance = rs.getLong("balance_after"); // 0 when SQL NULL: nothing posted yet
            return Optional.of(new BalanceView(accountId, rs.getString("currency"), asOf.toString(), balance));
        });
    }

    Optional<TransferView> transfer(String transferId) {
        return query("""
                SELECT transfer_id, debit_account_id, credit_account_id, amount, currency, reference,
                       metadata::text AS metadata, status, reason, created_at, completed_at
                FROM transfers WHERE transfer_id = ?""", ps -> ps.setString(1, transferId), rs -> {
            if (!rs.next()) return Optional.empty();
            return Optional.of(new TransferView(rs.getString("transfer_id"), rs.getString("debit_account_id"),
                    rs.getString("credit_account_id"), rs.getLong("amount"), rs.getString("currency"),
                    rs.getString("reference"), metadata(rs.getString("metadata")), rs.getString("status"),
                    rs.getString("reason"), timestamp(rs, "created_at"), timestamp(rs, "completed_at")));
        });
    }

    /**
     * How far each named aggregate is projected, in one query: account ids, transfers named
     * {@code transfer/<id>}, and movements named {@code movement/<accountId>/<transferId>} (see
     * {@link CommandResult}). A name not projected yet is absent.
     */
    Map<String, Long> projectedSeqs(Collection<String> names) {
        String transferPrefix = CommandResult.TRANSFER_POSITION_PREFIX;
        String movementPrefix = CommandResult.MOVEMENT_POSITION_PREFIX;
        var accountIds = names.stream().filter(n -> !n.startsWith(transferPrefix) && !n.startsWith(movementPrefix))
                .toArray();
        var transferIds = names.stream().filter(n -> n.startsWith(transferPrefix))
                .map(n -> n.substring(transferPrefix.length())).toArray();
        var movements = names.stream().filter(n -> n.startsWith(movementPrefix))
                .map(n -> n.substring(movementPrefix.length()).split("/", 2)).toList();
        return withConnection(connection -> {
            Array accounts = connection.createArrayOf("text", accountIds);
            Array transfers = connection.createArrayOf("text", transferIds);
            Array movementAccounts = connection.createArrayOf("text", movements.stream().map(m -> m[0]).toArray());
            Array movementTransfers = connection.createArrayOf("text", movements.stream().map(m -> m[1]).toArray());
            // a movement is reached (1) once the account's statement holds the transfer's entry
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT account_id, seq FROM accounts WHERE account_id = ANY (?) "
                            + "UNION ALL SELECT ? || transfer_id, seq FROM transfers WHERE transfer_id = ANY (?) "
                            + "UNION ALL SELECT ? || e.account_id || '/' || e.transfer_id, 1 FROM entries e "
                            + "JOIN unnest(?::text[], ?::text[]) AS m(account_id, transfer_id) "
                            + "ON e.account_id = m.account_id AND e.transfer_id = m.transfer_id")) {
                ps.setArray(1, accounts);
                ps.setString(2, transferPrefix);
                ps.setArray(3, transfers);
                ps.setString(4, movementPrefix);
                ps.setArray(5, movementAccounts);
                ps.setArray(6, movementTransfers);
                var seqs = new HashMap<String, Long>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) seqs.merge(rs.getString(1), rs.getLong(2), Math::max);
                }
                return seqs;
            } finally {
                accounts.free();
                transfers.free();
                movementAccounts.free();
                movementTransfers.free();
            }
        });
    }

    /**
     * PostgreSQL's current snapshot as text ({@code xmin:xmax:running xids}). It changes whenever a
     * transaction that writes takes an id or ends; two equal readings mean nothing was committed in
     * between, so every table reads the same as at the first.
     */
    String snapshot() {
        return query("SELECT pg_current_snapshot()::text", ps -> {
        }, rs -> {
            rs.next();
            return rs.getString(1);
        });
    }

    void ping() {
        query("SELECT 1", ps -> {
        }, ResultSet::next);
    }

    private static boolean exists(Connection connection, String accountId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT 1 FROM accounts WHERE account_id = ?")) {
            ps.setString(1, accountId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private Map<String, String> metadata(String jsonb) {
        if (jsonb == null) return Map.of();
        try {
            return json.readValue(jsonb, METADATA);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable metadata in the read model", e);
        }
    }

    private static String timestamp(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant().toString();
    }

    private <T> T query(String sql, SqlConsumer<PreparedStatement> bind, SqlFunction<ResultSet, T> read) {
        return withConnection(connection -> {
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                bind.accept(ps);
                try (ResultSet rs = ps.executeQuery()) {
                    return read.apply(rs);
                }
            }
        });
    }

    private <T> T withConnection(SqlFunction<Connection, T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.apply(connection);
        } catch (SQLException e) {
            throw new ReadModelException(e);
        }
    }

    @FunctionalInterface
    private interface SqlFunction<A, R> {
        R apply(A arg) throws SQLException;
    }

    @FunctionalInterface
    private interface SqlConsumer<A> {
        void accept(A arg) throws SQLException;
    }

    /** PostgreSQL failed to answer a query. */
    static final class ReadModelException extends RuntimeException {
        ReadModelException(SQLException cause) {
            super("the read model failed to answer: " + cause.getMessage(), cause);
        }
    }
}
