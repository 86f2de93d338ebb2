package dev.ledger.launcher;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ledger.kafka.DeadLetter;
import dev.ledger.kafka.DeadLetterLog;
import dev.ledger.kafka.KafkaClients;
import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.LedgerJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ./ledger dead-letters}: the commands the processor refused, newest last, each with where it came
 * from, why it was refused and what it was; see {@link DeadLetter}. Read-only: it reads the dead-letter
 * topic with a consumer of its own and no group, so it neither moves nor removes anything.
 */
@Command(name = "dead-letters",
        mixinStandardHelpOptions = true,
        description = {
                "Lists the commands the processor refused (unreadable, invalid, or a saga step it did not write),",
                "with their source (topic-partition@offset), key, reason, time, type and id, and the start of the value.",
                "Uses the `./ledger dev` running on the data directory, or the cluster named by",
                "LEDGER_KAFKA_BOOTSTRAP_SERVERS and LEDGER_DB_URL."})
public final class DeadLettersCommand implements Callable<Integer> {
    /** The most a listing shows: every dead letter is counted, only the newest this many are kept in memory. */
    static final int MAX_LIMIT = 100_000;

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".ledger-data",
            description = "Data directory of the running `./ledger dev` (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--json", description = "Print one JSON document (total, shown, deadLetters) instead of text.")
    boolean json;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
            description = "Show the newest N (default: ${DEFAULT-VALUE}, at most " + MAX_LIMIT
                    + "); all are counted.")
    int limit;

    private final LedgerConfig fixedConfig;

    public DeadLettersCommand() {
        this(null);
    }

    /** For tests: list this ledger's dead letters instead of finding one. */
    DeadLettersCommand(LedgerConfig config) {
        this.fixedConfig = config;
    }

    /** What {@code --json} prints. */
    record Listing(String topic, long total, int shown, List<DeadLetter> deadLetters) {
    }

    @Override
    public Integer call() {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new ParameterException(spec.commandLine(), "--limit must be between 1 and " + MAX_LIMIT);
        }
        LedgerConfig config = fixedConfig != null ? fixedConfig : LedgerTarget.find(dataDir, System.getenv()).config();
        String topic = config.topics().deadLetters();
        Deque<DeadLetter> newest = new ArrayDeque<>();
        long total = DeadLetterLog.readAll(KafkaClients.of(config), topic, letter -> {
            if (newest.size() == limit) newest.removeFirst();
            newest.addLast(letter);
        });
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(new Listing(topic, total, newest.size(), List.copyOf(newest))));
        } else {
            out.println(total + " dead letter" + (total == 1 ? "" : "s") + " on " + topic
                    + (total > newest.size() ? " (the newest " + newest.size() + " shown)" : ""));
            newest.forEach(letter -> out.print(describe(letter)));
        }
        out.flush();
        return 0;
    }

    static String describe(DeadLetter letter) {
        String command = letter.commandType() == null ? "unreadable"
                : letter.commandType() + (letter.commandId() == null ? "" : " " + letter.commandId())
                + (letter.transferId() == null ? "" : ", a step of transfer " + letter.transferId());
        return letter.source() + "  " + letter.time() + "  key " + (letter.key() == null ? "(none)" : letter.key())
                + System.lineSeparator() + "  reason:  " + letter.reason()
                + System.lineSeparator() + "  command: " + command
                + System.lineSeparator() + "  value:   " + letter.excerpt()
                + System.lineSeparator();
    }

    private static String toJson(Listing listing) {
        try {
            return LedgerJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(listing);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
