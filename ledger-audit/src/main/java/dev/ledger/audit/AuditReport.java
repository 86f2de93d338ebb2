package dev.ledger.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ledger.kafka.LedgerJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What an audit found: the balances as of the cut, the totals per currency, every check with its
 * result, the transfers in flight, and the reconciliation with the read model. {@link #summary()} is
 * for a person, {@link #toJson()} for a machine; both say the same.
 *
 * @param topic           the topic replayed
 * @param asOf            the instant of the cut, or null for the whole history
 * @param startedAt       when the audit began; the end offsets were taken then
 * @param readMillis      how long reading and folding the log took
 * @param durationMillis  how long the whole audit took, reconciliation included
 * @param recordsRead     records read up to the end offsets taken at the start
 * @param eventsAudited   events inside the cut, checked and folded
 * @param eventsAfterAsOf events read but outside the cut
 * @param eventsPerSecond records read per second of reading
 * @param passed          true only when every check passed
 */
public record AuditReport(String topic, Instant asOf, Instant startedAt, long readMillis, long durationMillis,
                          long recordsRead, long eventsAudited, long eventsAfterAsOf, long eventsPerSecond,
                          List<PartitionRange> partitions, List<AccountBalance> accounts,
                          List<CurrencyTotals> currencies, TransferCounts transfers,
                          List<InFlightTransfer> inFlight, List<CheckResult> checks,
                          ReconciliationSummary reconciliation, boolean passed) {

    /** Accounts the human summary lists before it refers to the JSON report for the rest. */
    public static final int SUMMARY_ACCOUNTS = 50;
    /** Violations the human summary lists per check. */
    public static final int SUMMARY_VIOLATIONS = 10;

    public record PartitionRange(int partition, long beginOffset, long endOffset) {
    }

    /** An account as of the cut; {@code seq} is the last event applied, {@code balance} the posted balance. */
    public record AccountBalance(String accountId, String currency, String status, long overdraftLimit,
                                 boolean unlimitedOverdraft, long debitsPending, long debitsPosted,
                                 long creditsPending, long creditsPosted, long balance, long seq,
                                 Instant openedAt, Instant lastEventAt) {
    }

    /** The invariant's two sides per currency: {@code postedNet} must equal {@code creditedNotCaptured}. */
    public record CurrencyTotals(String currency, long accounts, long debitsPending, long debitsPosted,
                                 long creditsPending, long creditsPosted, long postedNet, long creditedNotCaptured) {
    }

    public record TransferCounts(long total, long completed, long rejected, long inFlight) {
    }

    /** A transfer whose saga has not ended; {@code ageMillis} runs to the cut (or to the audit's start). */
    public record InFlightTransfer(String transferId, String debitAccountId, String creditAccountId, long amount,
                                   String currency, Instant initiatedAt, long ageMillis, String step) {
    }

    /** @param violations how many were found; {@code details} keeps the first of them */
    public record CheckResult(AuditCheck check, String description, boolean passed, long violations,
                              List<Violation> details) {
    }

    /**
     * @param performed      false when the reconciliation was skipped
     * @param skippedBecause why nothing was compared, or null when the reconciliation ran
     * @param notComparable  rows that moved on after the audit's snapshot (newer in the read model): not differences
     */
    public record ReconciliationSummary(String schema, boolean performed, String skippedBecause,
                                        long accountsCompared, long transfersCompared, long differences,
                                        long notComparable) {
    }

    public CheckResult check(AuditCheck check) {
        return checks.stream().filter(c -> c.check() == check).findFirst().orElseThrow();
    }

    public List<Violation> violations() {
        return checks.stream().flatMap(c -> c.details().stream()).toList();
    }

    public List<AuditCheck> failedChecks() {
        return checks.stream().filter(c -> !c.passed()).map(CheckResult::check).toList();
    }

    public AccountBalance account(String accountId) {
        return accounts.stream().filter(a -> a.accountId().equals(accountId)).findFirst().orElse(null);
    }

    public byte[] toJson() {
        try {
            return LedgerJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the audit report", e);
        }
    }

    public static AuditReport fromJson(byte[] json) {
        try {
            return LedgerJson.MAPPER.readValue(json, AuditReport.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("not an audit report: " + e.getMessage(), e);
        }
    }

    public void writeJson(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.write(file, toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The report for a person: what was replayed, the balances, each check, the verdict. */
    public String summary() {
        var out = new StringBuilder();
        String nl = System.lineSeparator();
        out.append("Audit of ").append(topic).append(" (").append(partitions.size()).append(" partitions), ")
                .append(asOf == null ? "whole history" : "as of " + asOf).append(nl);
        out.append(String.format(Locale.ROOT, "  %,d records read in %.1f s (%,d events/s), %,d events audited",
                recordsRead, readMillis / 1000.0, eventsPerSecond, eventsAudited));
        if (asOf != null) out.append(String.format(Locale.ROOT, ", %,d after the cut", eventsAfterAsOf));
        out.append(nl).append(nl);

        out.append(String.format(Locale.ROOT, "Accounts: %,d%n", accounts.size()));
        if (!accounts.isEmpty()) {
            out.append(String.format(Locale.ROOT, "  %-24s %-4s %-6s %18s %16s %16s %16s%n", "account", "cur",
                    "status", "balance", "debits posted", "credits posted", "held"));
            accounts.stream().limit(SUMMARY_ACCOUNTS).forEach(a -> out.append(String.format(Locale.ROOT,
                    "  %-24s %-4s %-6s %,18d %,16d %,16d %,16d%n", a.accountId(), a.currency(), a.status(),
                    a.balance(), a.debitsPosted(), a.creditsPosted(), a.debitsPending())));
            if (accounts.size() > SUMMARY_ACCOUNTS) {
                out.append(String.format(Locale.ROOT, "  ... %,d more: see the JSON report (--json)%n",
                        accounts.size() - SUMMARY_ACCOUNTS));
            }
        }
        out.append(nl).append("Totals per currency:").append(nl);
        for (CurrencyTotals t : currencies) {
            out.append(String.format(Locale.ROOT, "  %s  %,d accounts  credits posted %,d  debits posted %,d  "
                            + "net %,d  credited not captured %,d  held %,d%n", t.currency(), t.accounts(),
                    t.creditsPosted(), t.debitsPosted(), t.postedNet(), t.creditedNotCaptured(), t.debitsPending()));
        }
        out.append(String.format(Locale.ROOT, "%nTransfers: %,d (%,d completed, %,d rejected, %,d in flight)%n",
                transfers.total(), transfers.completed(), transfers.rejected(), transfers.inFlight()));
        inFlight.stream().limit(SUMMARY_VIOLATIONS).forEach(t -> out.append(String.format(Locale.ROOT,
                "  in flight: %s %s -> %s %,d %s, %s, age %s%n", t.transferId(), t.debitAccountId(),
                t.creditAccountId(), t.amount(), t.currency(), t.step(), age(t.ageMillis()))));
        if (inFlight.size() > SUMMARY_VIOLATIONS) {
            out.append(String.format(Locale.ROOT, "  ... %,d more in flight%n", transfers.inFlight() - SUMMARY_VIOLATIONS));
        }

        out.append(nl).append("Checks:").append(nl);
        for (CheckResult c : checks) {
            out.append(String.format(Locale.ROOT, "  %-4s %-15s %s%s%n", c.passed() ? "ok" : "FAIL", c.check(),
                    c.description(), c.passed() ? "" : String.format(Locale.ROOT, " (%,d violations)", c.violations())));
            c.details().stream().limit(SUMMARY_VIOLATIONS).forEach(v -> out.append("         - ")
                    .append(v.describe()).append(nl));
            if (c.violations() > SUMMARY_VIOLATIONS) {
                out.append(String.format(Locale.ROOT, "         ... %,d more%n", c.violations() - SUMMARY_VIOLATIONS));
            }
        }
        out.append(nl).append("Reconciliation with PostgreSQL (schema ").append(reconciliation.schema()).append("): ");
        if (reconciliation.performed()) {
            out.append(String.format(Locale.ROOT, "%,d accounts and %,d transfers compared, %,d differences",
                    reconciliation.accountsCompared(), reconciliation.transfersCompared(), reconciliation.differences()));
            if (reconciliation.notComparable() > 0) {
                out.append(String.format(Locale.ROOT, ", %,d rows moved on since the snapshot",
                        reconciliation.notComparable()));
            }
        } else {
            out.append("skipped, ").append(reconciliation.skippedBecause());
        }
        out.append(nl).append(nl);
        out.append(passed ? "AUDIT PASSED" : "AUDIT FAILED: " + failedChecks().stream().map(Enum::name)
                .collect(Collectors.joining(", "))).append(nl);
        return out.toString();
    }

    private static String age(long millis) {
        Duration d = Duration.ofMillis(millis);
        if (d.toHours() > 0) return d.toHours() + " h " + d.toMinutesPart() + " min";
        if (d.toMinutes() > 0) return d.toMinutes() + " min " + d.toSecondsPart() + " s";
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
