package dev.ledger.bench;

import dev.ledger.kafka.KafkaClients;
import java.net.URI;
import java.util.List;
import java.util.function.Predicate;

/**
 * Where the systems run. Each ledger under test ({@code ledgers}, the first at the partition count the
 * ledger ships with) is reached over HTTP and its topics on the broker {@code kafka} reaches are recognised by
 * its own predicate; the limit appends to scratch topics on the same broker; the baseline runs on its
 * own PostgreSQL database. Process ids (0 when unknown, or when the ledger runs inside this JVM) let the
 * resource sampler measure each ledger, the broker and the PostgreSQL servers. {@code revision} names
 * the code measured (a git description), for the report.
 */
public record BenchEnvironment(
        KafkaClients kafka,
        List<Ledger> ledgers,
        long commitIntervalMs,
        String baselineJdbcUrl,
        String baselineUser,
        String baselinePassword,
        long kafkaPid,
        long readModelPostgresPid,
        long baselinePostgresPid,
        String revision) {

    /** The system name of the ledger at the partition count the run was given (the ratios are its). */
    public static final String LEDGER = "ledger";
    /** The system name of the ledger at one partition, measured beside it when that count is not 1. */
    public static final String LEDGER_ONE_PARTITION = "ledger-1-partition";

    public BenchEnvironment {
        if (ledgers.isEmpty()) throw new IllegalArgumentException("at least one ledger");
        ledgers = List.copyOf(ledgers);
    }

    /**
     * One ledger under test: its own topics, application ids and read-model database.
     *
     * @param name       its system name, {@link #LEDGER} or {@link #LEDGER_ONE_PARTITION}
     * @param apiKey     an admin key of its (it opens settlement accounts), sent as a bearer token
     * @param pid        its JVM, 0 when it runs inside the bench's JVM
     * @param jvm        how its JVM runs, for the report ("child JVM -Xmx1g", ...)
     */
    public record Ledger(String name, URI api, String apiKey, Predicate<String> topic, int partitions, long pid,
                         String jvm) {
        public String label() {
            return "This ledger, " + partitions + (partitions == 1 ? " partition" : " partitions") + " (HTTP)";
        }
    }

    public Ledger primaryLedger() {
        return ledgers.getFirst();
    }
}
