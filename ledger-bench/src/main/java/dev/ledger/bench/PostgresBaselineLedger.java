package dev.ledger.bench;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The ledger a team would otherwise build: PostgreSQL alone, with row locks. Per transfer, in one
 * transaction: lock both accounts ({@code SELECT ... FOR UPDATE}, in id order so that two transfers
 * between the same accounts never deadlock), check the funds, update both balances, record the
 * transfer (its id is the primary key: a retry cannot apply it twice) and insert its two entries.
 * Rejections are recorded too (status REJECTED), as the ledger records them. Each client is a thread
 * with a connection of its own, as an application's connection pool would give it.
 *
 * <p>Two ways to run it:
 * <ul>
 *   <li>{@link Mode#AS_DEPLOYED}: how teams deploy it. PostgreSQL's defaults (synchronous_commit=on:
 *       each commit waits for its WAL flush), one transaction per transfer, also when a request
 *       carries a batch.</li>
 *   <li>{@link Mode#MATCHED}: durability matched to the ledger's single Kafka broker, which
 *       acknowledges from the page cache: {@code synchronous_commit=off}. A batch request is one
 *       transaction: lock every account it touches (in id order), apply the transfers in order in
 *       memory, then write the balances, transfers and entries with one statement each (arrays).</li>
 * </ul>
 */
public final class PostgresBaselineLedger implements LoadTarget {
    public static final String SCHEMA = "baseline";
    private static final int MAX_ATTEMPTS = 5;

    public enum Mode {
        AS_DEPLOYED("postgres-as-deployed", "PostgreSQL ledger, as deployed"),
        MATCHED("postgres-matched", "PostgreSQL ledger, matched durability");

        final String key;
        final String label;

        Mode(String key, String label) {
            this.key = key;
            this.label = label;
        }
    }

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final Mode mode;

    public PostgresBaselineLedger(String jdbcUrl, String user, String password, Mode mode) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.mode = mode;
    }

    @Override
    public String name() {
        return mode.key;
    }

    @Override
    public String label() {
        return mode.label;
    }

    @Override
    public String description(Scenario scenario) {
        return switch (mode) {
            case AS_DEPLOYED -> "row locks on both accounts, one transaction per transfer, synchronous_commit=on (default)";
            case MATCHED -> scenario == Scenario.BATCH
                    ? "row locks, one transaction per request of many transfers, synchronous_commit=off"
                    : "row locks, one transaction per transfer, synchronous_commit=off";
        };
    }

    /**
     * Creates (or re-creates) the schema and the accounts, each holding the opening balance: every
     * run of the baseline starts from the same state.
     */
    public static void install(String jdbcUrl, String user, String password, Workload workload) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
            s.execute("CREATE SCHEMA " + SCHEMA);
            s.execute("""
                    CREATE TABLE baseline.accounts (
                      id text PRIMARY KEY,
                      currency char(3) NOT NULL,
                      balance bigint NOT NULL,
                      overdraft_limit bigint NOT NULL DEFAULT 0,
                      unlimited_overdraft boolean NOT NULL DEFAULT false)""");
            s.execute("""
                    CREATE TABLE baseline.transfers (
                      id text PRIMARY KEY,
                      debit_account_id text NOT NULL REFERENCES baseline.accounts,
                      credit_account_id text NOT NULL REFERENCES baseline.accounts,
                      amount bigint NOT NULL CHECK (amount > 0),
                      currency char(3) NOT NULL,
                      status text NOT NULL,
                      reason text,
                      created_at timestamptz NOT NULL DEFAULT now())""");
            s.execute("""
                    CREATE TABLE baseline.entries (
                      id bigserial PRIMARY KEY,
                      transfer_id text NOT NULL REFERENCES baseline.transfers,
                      account_id text NOT NULL REFERENCES baseline.accounts,
                      amount bigint NOT NULL,
                      balance_after bigint NOT NULL,
                      created_at timestamptz NOT NULL DEFAULT now())""");
            s.execute("CREATE INDEX entries_by_account ON baseline.entries (account_id, id)");
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO baseline.accounts (id, currency, balance) SELECT id, ?, ? FROM unnest(?::text[]) AS a(id)")) {
                insert.setString(1, Workload.CURRENCY);
                insert.setLong(2, workload.openingBalance());
                insert.setArray(3, c.createArrayOf("text", workload.accountIds().toArray()));
                insert.executeUpdate();
            }
            s.execute("ANALYZE baseline.accounts");
        }
    }

    /** Back to the opening state: no transfers, no entries, every balance the opening balance. */
    public static void reset(String jdbcUrl, String user, String password, Workload workload) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password); Statement s = c.createStatement()) {
            s.execute("TRUNCATE baseline.entries, baseline.transfers");
            s.execute("UPDATE baseline.accounts SET balance = " + workload.openingBalance());
            s.execute("VACUUM ANALYZE baseline.accounts");
            s.execute("CHECKPOINT");
        }
    }

    /** Sum of balances and number of entries: what the smoke test checks (money is neither made nor lost). */
    public static long[] totals(String jdbcUrl, String user, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT (SELECT sum(balance) FROM baseline.accounts), "
                     + "(SELECT count(*) FROM baseline.entries), (SELECT count(*) FROM baseline.transfers)")) {
            r.next();
            return new long[] {r.getLong(1), r.getLong(2), r.getLong(3)};
        }
    }

    @Override
    public Session openSession() throws SQLException {
        return new BaselineSession(DriverManager.getConnection(jdbcUrl, user, password));
    }

    private final class BaselineSession implements Session {
        private final Connection c;
        private final PreparedStatement lockTwo;
        private final PreparedStatement updateTwo;
        private final PreparedStatement insertTransfer;
        private final PreparedStatement insertEntries;

        BaselineSession(Connection c) throws SQLException {
            this.c = c;
            if (mode == Mode.MATCHED) {
                try (Statement s = c.createStatement()) {
                    s.execute("SET synchronous_commit = off");
                }
            }
            c.setAutoCommit(false);
            lockTwo = c.prepareStatement("SELECT id, balance, overdraft_limit, unlimited_overdraft, currency "
                    + "FROM baseline.accounts WHERE id IN (?, ?) ORDER BY id FOR UPDATE");
            updateTwo = c.prepareStatement("UPDATE baseline.accounts SET balance = CASE WHEN id = ? "
                    + "THEN balance - ? ELSE balance + ? END WHERE id IN (?, ?) RETURNING id, balance");
            insertTransfer = c.prepareStatement("INSERT INTO baseline.transfers (id, debit_account_id, "
                    + "credit_account_id, amount, currency, status, reason) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (id) DO NOTHING");
            insertEntries = c.prepareStatement("INSERT INTO baseline.entries (transfer_id, account_id, amount, "
                    + "balance_after) VALUES (?, ?, ?, ?), (?, ?, ?, ?)");
        }

        @Override
        public Outcome submit(List<Workload.Transfer> transfers) throws SQLException {
            if (mode == Mode.MATCHED && transfers.size() > 1) {
                Outcome batch = inOneTransaction(transfers);
                if (batch != null) return batch;
            }
            int completed = 0;
            int rejected = 0;
            for (Workload.Transfer t : transfers) {
                if (one(t)) completed++;
                else rejected++;
            }
            return new Outcome(completed, rejected, 0, 0);
        }

        /** One transfer in its own transaction; true when it completed, false when it was rejected. */
        private boolean one(Workload.Transfer t) throws SQLException {
            for (int attempt = 1; ; attempt++) {
                try {
                    boolean completed = apply(t);
                    c.commit();
                    return completed;
                } catch (SQLException e) {
                    c.rollback();
                    if (!retryable(e) || attempt == MAX_ATTEMPTS) throw e;
                }
            }
        }

        private boolean apply(Workload.Transfer t) throws SQLException {
            boolean debitFirst = t.debit().compareTo(t.credit()) < 0;
            lockTwo.setString(1, debitFirst ? t.debit() : t.credit());
            lockTwo.setString(2, debitFirst ? t.credit() : t.debit());
            Map<String, long[]> accounts = new HashMap<>();
            try (ResultSet r = lockTwo.executeQuery()) {
                while (r.next()) {
                    accounts.put(r.getString(1), new long[] {r.getLong(2), r.getLong(3), r.getBoolean(4) ? 1 : 0});
                }
            }
            String reason = reason(accounts.get(t.debit()), accounts.get(t.credit()), t.amount());
            if (reason != null) {
                insertTransfer(t, "REJECTED", reason);
                return false;
            }
            updateTwo.setString(1, t.debit());
            updateTwo.setLong(2, t.amount());
            updateTwo.setLong(3, t.amount());
            updateTwo.setString(4, t.debit());
            updateTwo.setString(5, t.credit());
            long debitAfter = 0;
            long creditAfter = 0;
            try (ResultSet r = updateTwo.executeQuery()) {
                while (r.next()) {
                    if (r.getString(1).equals(t.debit())) debitAfter = r.getLong(2);
                    else creditAfter = r.getLong(2);
                }
            }
            if (!insertTransfer(t, "COMPLETED", null)) {
                c.rollback(); // a retry of a transfer already recorded: nothing to do
                return true;
            }
            insertEntries.setString(1, t.id());
            insertEntries.setString(2, t.debit());
            insertEntries.setLong(3, -t.amount());
            insertEntries.setLong(4, debitAfter);
            insertEntries.setString(5, t.id());
            insertEntries.setString(6, t.credit());
            insertEntries.setLong(7, t.amount());
            insertEntries.setLong(8, creditAfter);
            insertEntries.executeUpdate();
            return true;
        }

        private boolean insertTransfer(Workload.Transfer t, String status, String reason) throws SQLException {
            insertTransfer.setString(1, t.id());
            insertTransfer.setString(2, t.debit());
            insertTransfer.setString(3, t.credit());
            insertTransfer.setLong(4, t.amount());
            insertTransfer.setString(5, Workload.CURRENCY);
            insertTransfer.setString(6, status);
            insertTransfer.setString(7, reason);
            return insertTransfer.executeUpdate() == 1;
        }

        /**
         * The whole request in one transaction, or null when one of its transfers was recorded before
         * (then it goes transfer by transfer, which answers such retries one by one).
         */
        private Outcome inOneTransaction(List<Workload.Transfer> transfers) throws SQLException {
            for (int attempt = 1; ; attempt++) {
                try {
                    Outcome outcome = applyAll(transfers);
                    if (outcome == null) {
                        c.rollback();
                        return null;
                    }
                    c.commit();
                    return outcome;
                } catch (SQLException e) {
                    c.rollback();
                    if (!retryable(e) || attempt == MAX_ATTEMPTS) throw e;
                }
            }
        }

        private Outcome applyAll(List<Workload.Transfer> transfers) throws SQLException {
            var ids = new TreeSet<String>();
            transfers.forEach(t -> {
                ids.add(t.debit());
                ids.add(t.credit());
            });
            Map<String, long[]> accounts = new HashMap<>();
            try (PreparedStatement lock = c.prepareStatement("SELECT id, balance, overdraft_limit, unlimited_overdraft "
                    + "FROM baseline.accounts WHERE id = ANY (?) ORDER BY id FOR UPDATE")) {
                lock.setArray(1, c.createArrayOf("text", ids.toArray()));
                try (ResultSet r = lock.executeQuery()) {
                    while (r.next()) {
                        accounts.put(r.getString(1), new long[] {r.getLong(2), r.getLong(3), r.getBoolean(4) ? 1 : 0});
                    }
                }
            }
            int n = transfers.size();
            var tIds = new String[n];
            var tDebits = new String[n];
            var tCredits = new String[n];
            var tAmounts = new Long[n];
            var tStatus = new String[n];
            var tReasons = new String[n];
            var eTransfers = new ArrayList<String>();
            var eAccounts = new ArrayList<String>();
            var eAmounts = new ArrayList<Long>();
            var eAfter = new ArrayList<Long>();
            int completed = 0;
            for (int i = 0; i < n; i++) {
                Workload.Transfer t = transfers.get(i);
                long[] debit = accounts.get(t.debit());
                long[] credit = accounts.get(t.credit());
                String reason = reason(debit, credit, t.amount());
                tIds[i] = t.id();
                tDebits[i] = t.debit();
                tCredits[i] = t.credit();
                tAmounts[i] = t.amount();
                tStatus[i] = reason == null ? "COMPLETED" : "REJECTED";
                tReasons[i] = reason;
                if (reason != null) continue;
                completed++;
                debit[0] = Math.subtractExact(debit[0], t.amount());
                credit[0] = Math.addExact(credit[0], t.amount());
                eTransfers.add(t.id());
                eAccounts.add(t.debit());
                eAmounts.add(-t.amount());
                eAfter.add(debit[0]);
                eTransfers.add(t.id());
                eAccounts.add(t.credit());
                eAmounts.add(t.amount());
                eAfter.add(credit[0]);
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO baseline.transfers (id, debit_account_id, "
                    + "credit_account_id, amount, currency, status, reason) SELECT id, d, cr, a, '" + Workload.CURRENCY
                    + "', s, r FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[]) "
                    + "AS x(id, d, cr, a, s, r) ON CONFLICT (id) DO NOTHING")) {
                insert.setArray(1, c.createArrayOf("text", tIds));
                insert.setArray(2, c.createArrayOf("text", tDebits));
                insert.setArray(3, c.createArrayOf("text", tCredits));
                insert.setArray(4, c.createArrayOf("bigint", tAmounts));
                insert.setArray(5, c.createArrayOf("text", tStatus));
                insert.setArray(6, c.createArrayOf("text", tReasons));
                if (insert.executeUpdate() != n) return null;
            }
            var balanceIds = new ArrayList<String>();
            var balances = new ArrayList<Long>();
            accounts.forEach((id, a) -> {
                balanceIds.add(id);
                balances.add(a[0]);
            });
            try (PreparedStatement update = c.prepareStatement("UPDATE baseline.accounts a SET balance = v.balance "
                    + "FROM unnest(?::text[], ?::bigint[]) AS v(id, balance) WHERE a.id = v.id")) {
                update.setArray(1, array("text", balanceIds));
                update.setArray(2, array("bigint", balances));
                update.executeUpdate();
            }
            try (PreparedStatement entries = c.prepareStatement("INSERT INTO baseline.entries (transfer_id, "
                    + "account_id, amount, balance_after) SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], "
                    + "?::bigint[])")) {
                entries.setArray(1, array("text", eTransfers));
                entries.setArray(2, array("text", eAccounts));
                entries.setArray(3, array("bigint", eAmounts));
                entries.setArray(4, array("bigint", eAfter));
                entries.executeUpdate();
            }
            return new Outcome(completed, n - completed, 0, 0);
        }

        private Array array(String type, List<?> values) throws SQLException {
            return c.createArrayOf(type, values.toArray());
        }

        @Override
        public void close() throws SQLException {
            c.close();
        }
    }

    /** Why the transfer is rejected, or null. Accounts as {balance, overdraft limit, unlimited 0/1}. */
    private static String reason(long[] debit, long[] credit, long amount) {
        if (debit == null || credit == null) return "ACCOUNT_NOT_FOUND";
        if (debit[2] == 0 && debit[0] - amount < -debit[1]) return "INSUFFICIENT_FUNDS";
        if (credit[0] > Long.MAX_VALUE - amount) return "OVERFLOW";
        return null;
    }

    /** Deadlock or serialization failure: the transaction may simply be run again. */
    private static boolean retryable(SQLException e) {
        return "40P01".equals(e.getSQLState()) || "40001".equals(e.getSQLState());
    }
}
