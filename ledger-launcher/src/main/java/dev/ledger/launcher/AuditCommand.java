package dev.ledger.launcher;

import dev.ledger.audit.AuditOptions;
import dev.ledger.audit.AuditReport;
import dev.ledger.audit.LedgerAudit;
import dev.ledger.kafka.LedgerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;

/**
 * {@code ./ledger audit}: replays the event log from its beginning (or up to {@code --as-of}) and proves
 * every balance from it alone; see {@link LedgerAudit}. Exit code 0 only when every check passes.
 */
@Command(name = "audit",
        mixinStandardHelpOptions = true,
        subcommands = {GenerateHistoryCommand.class, ProjectHistoryCommand.class},
        description = {
                "Replays the whole event history (or up to an instant) through the domain's evolve functions and checks it:",
                "hash chains, gapless sequences, the invariant, every saga, limits, and the PostgreSQL read model.",
                "Uses the `./ledger dev` running on the data directory, or the cluster named by LEDGER_KAFKA_BOOTSTRAP_SERVERS",
                "and LEDGER_DB_URL. Prints a summary; exits 0 only when every check passes."})
public final class AuditCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".ledger-data",
            description = "Data directory of the running `./ledger dev` (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--as-of", paramLabel = "INSTANT", converter = InstantConverter.class,
            description = "Audit the ledger as it stood at this instant (RFC 3339, e.g. 2026-11-22T10:00:00Z).")
    Instant asOf;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the full report as JSON to this file.")
    Path json;

    @Option(names = "--events-topic", paramLabel = "TOPIC",
            description = "Audit this topic instead of the ledger's own event topic (e.g. a copy).")
    String eventsTopic;

    @Option(names = "--threads", paramLabel = "N",
            description = "Reading threads, each with a share of the partitions (default: the number of cores).")
    Integer threads;

    @Option(names = "--no-reconcile", description = "Do not compare the replay with the PostgreSQL read model.")
    boolean noReconcile;

    @Option(names = "--reconcile-wait", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long a read model behind the log may take to catch up (default: ${DEFAULT-VALUE}).")
    int reconcileWaitSeconds;

    private final LedgerConfig fixedConfig;

    public AuditCommand() {
        this(null);
    }

    /** For tests: audit this ledger instead of finding one through the data directory or the environment. */
    AuditCommand(LedgerConfig config) {
        this.fixedConfig = config;
    }

    @Override
    public Integer call() {
        if (threads != null && threads < 1) throw new ParameterException(spec.commandLine(), "--threads must be at least 1");
        LedgerConfig config = fixedConfig != null ? fixedConfig : LedgerTarget.find(dataDir, System.getenv()).config();
        AuditOptions options = AuditOptions.defaults()
                .withEventsTopic(eventsTopic)
                .withAsOf(asOf)
                .withReconcile(!noReconcile)
                .withReconciliationWait(Duration.ofSeconds(Math.max(0, reconcileWaitSeconds)));
        if (threads != null) options = options.withThreads(threads);
        PrintWriter out = spec.commandLine().getOut();
        ProgressLine progress = ProgressLine.onStderr(spec.commandLine().getErr(), "audit");
        AuditReport report;
        try {
            report = LedgerAudit.run(config, options, progress);
        } finally {
            progress.finish();
        }
        out.print(report.summary());
        if (json != null) {
            report.writeJson(json);
            out.println("JSON report: " + json.toAbsolutePath());
        }
        out.flush();
        return report.passed() ? 0 : 1;
    }

    /** RFC 3339: an instant in UTC ({@code Z}) or with an offset. */
    static final class InstantConverter implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value
                        + "' is not an RFC 3339 timestamp such as 2026-11-22T10:00:00Z");
            }
        }
    }
}
