package dev.ledger.launcher;

import dev.ledger.audit.HistoryGenerator;
import dev.ledger.kafka.KafkaClients;
import dev.ledger.kafka.LedgerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ./ledger audit generate-history}: writes a large synthetic history (valid envelopes, hash
 * chains made with the ledger's key) to a topic of its own, for measuring the audit's replay speed:
 * {@code ./ledger audit --events-topic bench.events --no-reconcile}. Hidden: a benchmark fixture, not
 * an operation; it refuses to write into the ledger's own event topic.
 */
@Command(name = "generate-history", hidden = true, mixinStandardHelpOptions = true,
        description = "Writes a synthetic, valid event history to a separate topic, to measure the audit's speed.")
public final class GenerateHistoryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".ledger-data",
            description = "Data directory of the running `./ledger dev` (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--events-topic", paramLabel = "TOPIC", required = true,
            description = "The topic to write (created when missing); never the ledger's own.")
    String topic;

    @Option(names = "--events", paramLabel = "N", defaultValue = "1000000",
            description = "At least this many events (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--customers", paramLabel = "N", defaultValue = "10000",
            description = "Customer accounts (default: ${DEFAULT-VALUE}).")
    int customers;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "12",
            description = "Partitions of a topic created here (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        LedgerConfig config = LedgerTarget.find(dataDir, System.getenv()).config();
        if (topic.equals(config.topics().events())) {
            throw new ParameterException(spec.commandLine(), "refusing to write synthetic events into the ledger's "
                    + "own event topic " + topic);
        }
        if (customers < 2 || partitions < 1 || events < 1) {
            throw new ParameterException(spec.commandLine(), "need --customers >= 2, --partitions >= 1, --events >= 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        ProgressLine progress = ProgressLine.onStderr(spec.commandLine().getErr(), "generate");
        long start = System.nanoTime();
        HistoryGenerator.Summary summary;
        try {
            summary = HistoryGenerator.generate(KafkaClients.of(config), topic, partitions, config.keys(),
                    events, customers, seed, written -> progress.update(written, events, System.nanoTime() - start));
        } finally {
            progress.finish();
        }
        out.printf(Locale.ROOT, "Wrote %,d events (%,d transfers, %,d accounts) to %s in %.1f s (%,.0f events/s)%n",
                summary.events(), summary.transfers(), summary.accounts(), topic, summary.millis() / 1000.0,
                summary.events() / Math.max(summary.millis() / 1000.0, 1e-3));
        out.printf("Audit it with: ./ledger audit --events-topic %s --no-reconcile%n", topic);
        out.flush();
        return 0;
    }
}
