package dev.ledger.launcher;

import dev.ledger.kafka.LedgerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./ledger rebuild-projections}: replays the event log from offset zero into fresh read model
 * tables and swaps them in once they have caught up, without stopping reads; see {@link ReadModelRebuild}.
 */
@Command(name = "rebuild-projections",
        mixinStandardHelpOptions = true,
        description = {
                "Rebuilds the PostgreSQL read model from the first event into fresh tables, then swaps them in",
                "while the ledger runs: reads never stop, the live projection pauses for a moment and carries on.",
                "Uses the `./ledger dev` running on the data directory, or the cluster named by",
                "LEDGER_KAFKA_BOOTSTRAP_SERVERS and LEDGER_DB_URL."})
public final class RebuildProjectionsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".ledger-data",
            description = "Data directory of the running `./ledger dev` (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--drop-old", description = "Drop the replaced tables after the swap (default: keep them "
            + "in schema read_model_old_<stamp>).")
    boolean dropOld;

    @Option(names = "--timeout", paramLabel = "MINUTES", defaultValue = "60",
            description = "Give up when the rebuild has not caught up after this long (default: ${DEFAULT-VALUE}).")
    int timeoutMinutes;

    private final LedgerConfig fixedConfig;

    public RebuildProjectionsCommand() {
        this(null);
    }

    /** For tests: rebuild this ledger's read model instead of finding one. */
    RebuildProjectionsCommand(LedgerConfig config) {
        this.fixedConfig = config;
    }

    @Override
    public Integer call() {
        LedgerConfig config = fixedConfig != null ? fixedConfig : LedgerTarget.find(dataDir, System.getenv()).config();
        PrintWriter out = spec.commandLine().getOut();
        ProgressLine progress = ProgressLine.onStderr(spec.commandLine().getErr(), "rebuild");
        var rebuild = new ReadModelRebuild(config, LedgerApplication.READ_MODEL_SCHEMA, line -> {
            progress.finish();
            out.println(line);
            out.flush();
        }, progress, Map.of());
        ReadModelRebuild.Result result = rebuild.run(Duration.ofMinutes(timeoutMinutes), dropOld);
        if (result.oldSchema() != null) {
            out.println("Once satisfied: DROP SCHEMA " + result.oldSchema() + " CASCADE");
        }
        out.flush();
        return 0;
    }
}
