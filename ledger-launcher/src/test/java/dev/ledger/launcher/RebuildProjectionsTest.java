package dev.ledger.launcher;

import dev.ledger.audit.LedgerReplay;
import dev.ledger.projection.ReadModelDataSource;
import dev.ledger.projection.ReadModelSchema;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./ledger rebuild-projections} on a running ledger: the rebuilt read model equals the live
 * one row for row; reads go on throughout; and after a swap made under load, the live projection keeps
 * writing into the new tables, so the read model still ends equal to the log and to a fresh rebuild.
 */
class RebuildProjectionsTest {
    private static final int CUSTOMERS = 20;

    @Test
    void a_rebuilt_read_model_equals_the_live_one_and_is_swapped_in_while_reads_and_writes_go_on() throws Exception {
        try (var ledger = LedgerHarness.start("rebuild")) {
            var config = ledger.config();
            var workload = new TransferWorkload(r -> ledger.post("/v1/transfers", r.key(), r.body()), CUSTOMERS, 3);
            TransferInvariantTest.open(ledger, TransferWorkload.SETTLEMENT, true);
            TransferWorkload.concurrently(workload.customers(), id -> TransferInvariantTest.open(ledger, id, false));
            workload.deposits();
            workload.run(150, 16);
            LedgerChecks.assertReadModelEqualsReplay(config, LedgerChecks.settledReplay(ledger::committedEvents));
            Map<String, List<String>> live = AuditFixtures.readModelRows(config, "read_model");

            // reads go on throughout, with a key created before: keys live outside the rebuilt schema
            LedgerClient readKey = ledger.client().withNewKey("read", null);
            List<String> readFailures = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger reads = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            Thread reader = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String id = workload.customers().get(i % CUSTOMERS);
                    for (String path : List.of("/v1/accounts/" + id, "/v1/accounts/" + id + "/balance",
                            "/v1/accounts/" + id + "/entries?limit=5")) {
                        try {
                            var r = readKey.get(path);
                            if (r.status() != 200) readFailures.add(path + " -> " + r);
                        } catch (RuntimeException e) {
                            readFailures.add(path + " -> " + e);
                        }
                        reads.incrementAndGet();
                    }
                }
            }, "rebuild-test-reader");
            reader.start();

            // 1. a quiet ledger: the rebuilt tables are the live ones, row for row
            List<String> said = Collections.synchronizedList(new ArrayList<>());
            var first = new ReadModelRebuild(config, "read_model", said::add, null, Map.of())
                    .run(Duration.ofMinutes(2), false);
            assertThat(AuditFixtures.readModelRows(config, "read_model")).isEqualTo(live);
            assertThat(AuditFixtures.readModelRows(config, first.oldSchema())).isEqualTo(live);
            assertThat(said).anyMatch(line -> line.startsWith("Swapped"));

            // 2. through the command, while transfers keep coming: the live projection must carry on in the new tables
            Thread load = new Thread(() -> AuditFixtures.moreTransfers(workload, "during", 200, 8, 5), "rebuild-test-load");
            load.start();
            Thread.sleep(300);
            var run = AuditEndToEndTest.cli(new RebuildProjectionsCommand(config), "--drop-old");
            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            assertThat(run.out()).contains("Swapped").contains("Dropped");
            load.join();
            LedgerReplay replay = LedgerChecks.settledReplay(ledger::committedEvents);
            LedgerChecks.assertReadModelEqualsReplay(config, replay);
            assertThat(workload.surprises).isEmpty();
            // the API's pooled connections read the new tables too (the first old schema is frozen, the second dropped)
            replay.accounts().forEach((id, state) -> {
                var r = ledger.get("/v1/accounts/" + id + "/balance");
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                assertThat(r.json().path("balance").asLong()).as(id)
                        .isEqualTo(LedgerReplay.balancesOf(state).balance());
            });

            // 3. and what the live projection built after that swap equals one more rebuild from the log
            Map<String, List<String>> afterLoad = AuditFixtures.readModelRows(config, "read_model");
            assertThat(afterLoad.get("transfers")).hasSize(replay.transfers().size());
            var third = new ReadModelRebuild(config, "read_model", said::add, null, Map.of())
                    .run(Duration.ofMinutes(2), true);
            assertThat(third.oldSchema()).isNull();
            assertThat(AuditFixtures.readModelRows(config, "read_model")).isEqualTo(afterLoad);

            stop.set(true);
            reader.join();
            assertThat(readFailures).isEmpty();
            assertThat(reads.get()).isPositive();

            // the one-off consumer groups are gone, and so are the rebuild schemas
            try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                    org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()))) {
                assertThat(admin.listGroups().all().get().stream().map(g -> g.groupId()))
                        .noneMatch(g -> g.startsWith(config.applicationIdPrefix() + "-rebuild-"));
            }
            assertThat(schemas(config)).contains("read_model", first.oldSchema())
                    .noneMatch(schema -> schema.contains("rebuild")).hasSize(2);

            // the swapped-in schema carries its Flyway history: the next start migrates nothing
            try (var ds = ReadModelDataSource.create(config.jdbcUrl(), config.dbUser(), config.dbPassword(), "read_model", 4)) {
                assertThat(ReadModelSchema.migrate(ds, "read_model")).isZero();
            }
            System.out.printf("rebuild: %d reads during three rebuilds, swaps locked writes for %s; %s%n", reads.get(),
                    first.lockHeld(), said);
        }
    }

    private static List<String> schemas(dev.ledger.kafka.LedgerConfig config) throws java.sql.SQLException {
        List<String> schemas = new ArrayList<>();
        try (var c = java.sql.DriverManager.getConnection(config.jdbcUrl(), config.dbUser(), config.dbPassword());
             var r = c.createStatement().executeQuery("SELECT schema_name FROM information_schema.schemata "
                     + "WHERE schema_name LIKE 'read_model%'")) {
            while (r.next()) schemas.add(r.getString(1));
        }
        return schemas;
    }
}
