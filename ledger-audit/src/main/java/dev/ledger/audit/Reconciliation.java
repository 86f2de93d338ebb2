package dev.ledger.audit;

import dev.ledger.audit.AuditReport.AccountBalance;
import dev.ledger.audit.AuditReport.ReconciliationSummary;
import dev.ledger.audit.AuditShard.Track;
import dev.ledger.domain.transfer.TransferRequest;
import dev.ledger.domain.transfer.TransferState;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The replayed ledger against the PostgreSQL read model, row by row, without trusting either: every
 * difference is listed. The read model follows the log asynchronously, so a row may be behind the
 * replay (then it gets {@code wait} to catch up before it counts as a difference) or ahead of it (the
 * account moved on after the audit's snapshot: not comparable, not a difference). Rows are compared
 * at equal {@code seq}, where they must agree exactly.
 *
 * <p>Whole history: each account's status and four counters, each transfer's status, amount and
 * parties. As of an instant: each account's posted balance against the last statement entry at or
 * before it, the same question {@code GET /v1/accounts/{id}/balance?asOf=} answers.
 */
final class Reconciliation {
    private static final long RETRY_MS = 500;

    private record AccountRow(String currency, String status, long debitsPending, long debitsPosted,
                              long creditsPending, long creditsPosted, long seq, Instant openedAt, Long balanceAsOf) {
    }

    private record TransferRow(String status, long amount, String debit, String credit, String currency, long seq,
                               Instant createdAt) {
    }

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final String schema;

    Reconciliation(String jdbcUrl, String user, String password, String schema) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.schema = schema;
    }

    /**
     * @param latestEvent the latest occurredAt replayed: a row first written after it was created after the snapshot
     */
    ReconciliationSummary reconcile(AuditEvaluation replay, Instant asOf, Instant latestEvent, Duration wait,
                                    Violations violations) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Outcome outcome;
            try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
                c.setReadOnly(true);
                c.setAutoCommit(false); // a cursor: large tables stream instead of filling memory
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ); // one snapshot for every table
                outcome = asOf == null ? compareWhole(c, replay, latestEvent) : compareAsOf(c, replay, asOf);
                c.rollback();
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read the read model (schema " + schema + ") at " + jdbcUrl
                        + ": " + e.getMessage(), e);
            }
            if (outcome.behind.isEmpty() || System.nanoTime() > deadline) {
                outcome.differences.forEach(violations::add);
                outcome.behind.forEach(violations::add);
                return new ReconciliationSummary(schema, true, null, outcome.accounts, outcome.transfers,
                        outcome.differences.size() + outcome.behind.size(), outcome.notComparable);
            }
            sleep();
        }
    }

    static ReconciliationSummary skipped(String schema, String because) {
        return new ReconciliationSummary(schema, false, because, 0, 0, 0, 0);
    }

    private static final class Outcome {
        final List<Violation> differences = new ArrayList<>();
        /** Rows the read model has not caught up with yet: differences only if they stay so. */
        final List<Violation> behind = new ArrayList<>();
        long accounts;
        long transfers;
        long notComparable;
    }

    private Outcome compareWhole(Connection c, AuditEvaluation replay, Instant latestEvent) throws SQLException {
        Outcome out = new Outcome();
        Map<String, AccountRow> rows = accounts(c, null);
        for (AccountBalance a : replay.balances()) {
            AccountRow row = rows.remove(a.accountId());
            out.accounts++;
            if (recordedBehind(out, a.accountId(), row == null ? null : row.seq(), a.seq(), "missing from the read model")) {
                continue;
            }
            if (row.seq() > a.seq()) {
                out.notComparable++;
            } else {
                String expected = accountText(a.currency(), a.status(), a.debitsPending(), a.debitsPosted(),
                        a.creditsPending(), a.creditsPosted());
                String actual = accountText(row.currency(), row.status(), row.debitsPending(), row.debitsPosted(),
                        row.creditsPending(), row.creditsPosted());
                if (!expected.equals(actual)) {
                    out.differences.add(difference(a.accountId(), a.seq(), "read model " + actual + ", log " + expected));
                }
            }
        }
        rows.forEach((id, row) -> extra(out, id, row.seq(), row.openedAt(), latestEvent, "account"));

        Map<String, TransferRow> transfers = transfers(c);
        for (var entry : replay.transfers.entrySet()) {
            String id = entry.getKey();
            Track<TransferState> track = entry.getValue();
            TransferRow row = transfers.remove(id);
            out.transfers++;
            if (recordedBehind(out, id, row == null ? null : row.seq(), track.seq, "transfer missing from the read model")) {
                continue;
            }
            if (row.seq() > track.seq) {
                out.notComparable++;
            } else {
                String expected = transferText(track.state);
                String actual = row.status() + " " + row.amount() + " " + row.currency() + " " + row.debit() + " -> "
                        + row.credit();
                if (!expected.equals(actual)) {
                    out.differences.add(difference(id, track.seq, "read model " + actual + ", log " + expected));
                }
            }
        }
        transfers.forEach((id, row) -> extra(out, id, row.seq(), row.createdAt(), latestEvent, "transfer"));
        return out;
    }

    private Outcome compareAsOf(Connection c, AuditEvaluation replay, Instant asOf) throws SQLException {
        Outcome out = new Outcome();
        Map<String, AccountRow> rows = accounts(c, asOf);
        for (AccountBalance a : replay.balances()) {
            AccountRow row = rows.remove(a.accountId());
            out.accounts++;
            if (recordedBehind(out, a.accountId(), row == null ? null : row.seq(), a.seq(), "missing from the read model")) {
                continue;
            }
            if (!Objects.equals(row.balanceAsOf(), a.balance())) {
                out.differences.add(difference(a.accountId(), a.seq(), "balance as of " + asOf + ": read model "
                        + row.balanceAsOf() + " (its last statement entry at or before), log " + a.balance()));
            }
        }
        rows.forEach((id, row) -> {
            if (!row.openedAt().isAfter(asOf)) {
                out.differences.add(difference(id, row.seq(), "the read model has this account, opened at "
                        + row.openedAt() + ", but the log has no such account as of " + asOf));
            }
        });
        return out;
    }

    /**
     * Files a row that is missing ({@code rowSeq} null) or behind the log's {@code logSeq} as not caught
     * up yet; true when it was, so there is nothing to compare.
     */
    private static boolean recordedBehind(Outcome out, String id, Long rowSeq, long logSeq, String missing) {
        if (rowSeq == null) {
            out.behind.add(difference(id, logSeq, missing));
        } else if (rowSeq < logSeq) {
            out.behind.add(difference(id, logSeq, "the read model is at seq " + rowSeq + ", behind the log"));
        } else {
            return false;
        }
        return true;
    }

    private static void extra(Outcome out, String id, long seq, Instant createdAt, Instant latestEvent, String what) {
        if (latestEvent != null && createdAt.isAfter(latestEvent)) {
            out.notComparable++; // created after the audit's snapshot
        } else {
            out.differences.add(difference(id, seq, "the read model has this " + what
                    + ", the log does not"));
        }
    }

    private static String accountText(String currency, String status, long dPending, long dPosted, long cPending,
                                      long cPosted) {
        return currency + " " + status + " debitsPending=" + dPending + " debitsPosted=" + dPosted
                + " creditsPending=" + cPending + " creditsPosted=" + cPosted;
    }

    private static String transferText(TransferState state) {
        TransferRequest r;
        String status;
        switch (state) {
            case TransferState.InFlight f -> {
                r = f.request();
                status = "PENDING";
            }
            case TransferState.Completed done -> {
                r = done.request();
                status = "COMPLETED";
            }
            case TransferState.Rejected rejected -> {
                r = rejected.request();
                status = "REJECTED";
            }
            case TransferState.Unknown u -> throw new IllegalStateException("unreachable");
        }
        return status + " " + r.amount() + " " + r.currency().getCurrencyCode() + " " + r.debitAccountId() + " -> "
                + r.creditAccountId();
    }

    private static Violation difference(String id, long seq, String detail) {
        return new Violation(AuditCheck.RECONCILIATION, id, seq, null, null, detail);
    }

    private Map<String, AccountRow> accounts(Connection c, Instant asOf) throws SQLException {
        String sql = "SELECT a.account_id, a.currency, a.status, a.debits_pending, a.debits_posted, a.credits_pending, "
                + "a.credits_posted, a.seq, a.opened_at"
                + (asOf == null ? "" : ", (SELECT e.balance_after FROM " + schema + ".entries e "
                + "WHERE e.account_id = a.account_id AND e.occurred_at <= ? ORDER BY e.account_seq DESC LIMIT 1) AS balance_as_of")
                + " FROM " + schema + ".accounts a";
        Map<String, AccountRow> rows = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setFetchSize(10_000);
            if (asOf != null) ps.setObject(1, OffsetDateTime.ofInstant(asOf, ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Long balance = null;
                    if (asOf != null) {
                        balance = rs.getLong("balance_as_of"); // 0 when no entry yet: nothing posted
                    }
                    rows.put(rs.getString("account_id"), new AccountRow(rs.getString("currency"), rs.getString("status"),
                            rs.getLong("debits_pending"), rs.getLong("debits_posted"), rs.getLong("credits_pending"),
                            rs.getLong("credits_posted"), rs.getLong("seq"),
                            rs.getObject("opened_at", OffsetDateTime.class).toInstant(), balance));
                }
            }
        }
        return rows;
    }

    private Map<String, TransferRow> transfers(Connection c) throws SQLException {
        Map<String, TransferRow> rows = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT transfer_id, status, amount, debit_account_id, "
                + "credit_account_id, currency, seq, created_at FROM " + schema + ".transfers")) {
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getString("transfer_id"), new TransferRow(rs.getString("status"), rs.getLong("amount"),
                            rs.getString("debit_account_id"), rs.getString("credit_account_id"),
                            rs.getString("currency"), rs.getLong("seq"),
                            rs.getObject("created_at", OffsetDateTime.class).toInstant()));
                }
            }
        }
        return rows;
    }

    private static void sleep() {
        try {
            Thread.sleep(RETRY_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the read model", e);
        }
    }
}
