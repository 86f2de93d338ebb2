package dev.ledger.launcher;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Thousands of concurrent random transfers on the real broker and PostgreSQL; then every invariant. */
class TransferInvariantTest {
    private static final int CUSTOMERS = 99;
    private static final int TRANSFERS = 3_000;
    private static final int CLIENTS = 32;

    @Test
    void concurrent_random_transfers_keep_every_invariant() throws Exception {
        try (var ledger = LedgerHarness.start("invariant")) {
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
            workload.run(TRANSFERS, CLIENTS);
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
