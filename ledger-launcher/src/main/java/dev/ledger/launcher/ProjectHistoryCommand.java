package dev.ledger.launcher;

import dev.ledger.kafka.LedgerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ./ledger audit project-history --events-topic bench.events}: projects a history written by
 * {@code generate-history} into a throwaway read model schema and prints how many events per second
 * the projection wrote into PostgreSQL ({@link ProjectionThroughput}). Hidden: a benchmark, not an operation.
 */
@Command(name = "project-history", hidden = true, mixinStandardHelpOptions = true,
        description = "Projects a synthetic history into a throwaway schema, to measure the projection's write rate.")
public final class ProjectHistoryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".ledger-data",
            description = "Data directory of the running `./ledger dev` (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--events-topic", paramLabel = "TOPIC", required = true,
            description = "The topic generate-history wrote; never the ledger's own.")
    String topic;

    @Option(names = "--timeout", paramLabel = "MINUTES", defaultValue = "30",
            description = "Give up after this long (default: ${DEFAULT-VALUE}).")
    int timeoutMinutes;

    @Option(names = "--keep-schema", description = "Keep the projected schema (to look at query plans on it).")
    boolean keepSchema;

    @Override
    public Integer call() {
        LedgerConfig config = LedgerTarget.find(dataDir, System.getenv()).config();
        if (topic.equals(config.topics().events())) {
            throw new ParameterException(spec.commandLine(), "the ledger's own event topic already has a projection: "
                    + "name a topic generate-history wrote");
        }
        PrintWriter out = spec.commandLine().getOut();
        ProgressLine progress = ProgressLine.onStderr(spec.commandLine().getErr(), "project");
        ProjectionThroughput.Result r;
        try {
            r = ProjectionThroughput.measure(config, topic, Duration.ofMinutes(timeoutMinutes), keepSchema,
                    progress);
        } finally {
            progress.finish();
        }
        out.printf(Locale.ROOT, "Projected %,d events (%,d offsets, %,d rows) of %s in %.1f s: %,.0f events/s;"
                        + " %,d flushes, %.1f us of flush per event (%.0f%% of the time); %.1f us of this JVM's CPU per event%n",
                r.events(), r.offsets(), r.rows(), topic, r.measuredMillis() / 1000.0, r.eventsPerSecond(),
                r.flushes(), r.flushMicrosPerEvent(), 100.0 * r.flushMillis() / Math.max(r.measuredMillis(), 1), r.cpuMicrosPerEvent());
        if (r.keptSchema() != null) out.println("Kept schema " + r.keptSchema() + "; drop it with DROP SCHEMA "
                + r.keptSchema() + " CASCADE");
        out.flush();
        return 0;
    }
}
