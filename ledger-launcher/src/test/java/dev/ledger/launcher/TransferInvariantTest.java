package dev.ledger.launcher;

import dev.ledger.command.LedgerCommandProcessor;
import dev.ledger.kafka.AggregatePartitions;
import dev.ledger.kafka.CommandRecords;
import dev.ledger.kafka.EventRecords;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Thousands of concurrent random transfers on the real broker and PostgreSQL; then every invariant. */
class TransferInvariantTest {
    private static final int CUSTOMERS = 99;
    private static final int TRANSFERS = 3_000;
    private static final int CLIENTS = 32;
    private static final int FAST_PATH_TRANSFERS = 2_000;
    private static final int HOP_TRANSFERS = 1_500;

    /**
     * One instance owns all four partitions on one stream thread, so every saga runs in one step across
     * its tasks: no hop goes through the commands topic, and each event still lands on its own
     * aggregate's partition (where the projection, the audit and a new owner of the partition read it).
     */
    @Test
    void concurrent_random_transfers_keep_every_invariant() throws Exception {
        try (var ledger = LedgerHarness.start("invariant")) {
            runAndVerify(ledger, TRANSFERS);

            assertThat(commandTypes(ledger)).as("only the clients' commands: no saga hop went through the topic")
                    .isNotEmpty().allMatch(type -> type.equals("OpenAccount") || type.equals("InitiateTransfer"));
            var partitions = new AggregatePartitions(ledger.config().partitions());
            var misplaced = new ArrayList<String>();
            var placed = new AtomicInteger();
            ledger.client().readCommitted(ledger.config().topics().events(), r -> EventRecords.decode(r.key(), r.value(),
                    r.headers()).forEach(e -> {
                        if (partitions.partitionOf(e.aggregateId()) == r.partition()) placed.incrementAndGet();
                        else misplaced.add(e.aggregateId() + " on partition " + r.partition());
                    }));
            assertThat(misplaced).as("events written to another aggregate's partition").isEmpty();
            assertThat(placed.get()).isGreaterThan(TRANSFERS * 2);
        }
    }

    /** The same with every hop between partitions through Kafka, as between two instances: the saga's round trips. */
    @Test
    void with_every_hop_through_the_commands_topic_every_invariant_holds() throws Exception {
        try (var ledger = LedgerHarness.start("invariant-hops", Map.of(LedgerCommandProcessor.STEPS_ACROSS_TASKS, false))) {
            runAndVerify(ledger, HOP_TRANSFERS);

            assertThat(commandTypes(ledger)).as("the saga's steps went through the topic")
                    .contains("ReserveFunds", "CreditAccount", "CaptureReservation", "CompleteTransfer");
        }
    }

    private static List<String> commandTypes(LedgerHarness ledger) {
        var types = new ArrayList<String>();
        ledger.client().readCommitted(ledger.config().topics().commands(),
                r -> CommandRecords.read(r.value()).forEach(item -> types.add(
                        item instanceof CommandRecords.Readable c ? c.envelope().type() : "unreadable")));
        return types;
    }

    /** One partition: the transfer and both accounts always share it, so no saga command leaves the processor. */
    @Test
    void on_one_partition_every_saga_is_one_step_and_keeps_every_invariant() throws Exception {
        try (var ledger = LedgerHarness.startWithPartitions("fast-path", 1)) {
            runAndVerify(ledger, FAST_PATH_TRANSFERS);

            assertThat(commandTypes(ledger)).as("only the clients' commands: no saga hop went through the topic")
                    .isNotEmpty().allMatch(type -> type.equals("OpenAccount") || type.equals("InitiateTransfer"));
        }
    }

    private static void runAndVerify(LedgerHarness ledger, int transfers) throws Exception {
        // given: a settlement account and 99 customers funded from it
        var workload = new TransferWorkload(r -> ledger.post("/v1/transfers", r.key(), r.body()), CUSTOMERS, 42);
        open(ledger, TransferWorkload.SETTLEMENT, true);
        TransferWorkload.concurrently(workload.customers(), id -> open(ledger, id, false));
        workload.deposits();

        // when: concurrent clients move money, while cuts of the log are taken
        List<Instant> cuts = new CopyOnWriteArrayList<>();
        var cutter = Executors.newSingleThreadScheduledExecutor();
        cutter.scheduleAtFixedRate(() -> cuts.add(Instant.now()), 200, 700, TimeUnit.MILLISECONDS);
        long start = System.nanoTime();
        workload.run(transfers, CLIENTS);
        double seconds = (System.nanoTime() - start) / 1e9;
        cutter.shutdownNow();

        // then
        var replay = LedgerChecks.settledReplay(ledger::committedEvents);
        var events = ledger.committedEvents();
        LedgerChecks.verify(workload, events, replay, cuts, ledger.config());
        assertThat(cuts).hasSizeGreaterThan(3);
        System.out.printf("invariant load: %d requests in %.1f s = %.0f requests/s; latency ms p50 %.1f p99 %.1f max %.1f%n",
                workload.requests.get(), seconds, workload.requests.get() / seconds,
                workload.latencyMicros.getValueAtPercentile(50) / 1000.0,
                workload.latencyMicros.getValueAtPercentile(99) / 1000.0,
                workload.latencyMicros.getMaxValue() / 1000.0);
    }

    static void open(LedgerHarness ledger, String id, boolean unlimited) {
        open(ledger.client(), id, unlimited);
    }

    static void open(LedgerClient ledger, String id, boolean unlimited) {
        var r = ledger.post("/v1/accounts", UUID.randomUUID().toString(),
                "{\"accountId\":\"" + id + "\",\"currency\":\"EUR\",\"unlimitedOverdraft\":" + unlimited + "}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }
}
