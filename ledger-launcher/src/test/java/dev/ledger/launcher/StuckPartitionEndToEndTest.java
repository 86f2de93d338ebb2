package dev.ledger.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * One event the read model cannot write stops nothing but its own partition's reads, says so, survives
 * restarts, and is applied with everything after it once the cause is fixed. The cause here is one an
 * operator would fix with a migration: a CHECK constraint on the read model that refuses the row.
 */
class StuckPartitionEndToEndTest {
    private static final int PARTITIONS = 4;
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static LedgerHarness ledger;

    @BeforeAll
    static void start() {
        ledger = LedgerHarness.start("stuck");
    }

    @AfterAll
    static void stop() {
        if (ledger != null) ledger.close();
    }

    private static int partitionOf(String id) {
        return Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    /** An id with the prefix on the wanted partition, or on none of the unwanted ones. */
    private static String idOn(String prefix, Predicate<Integer> partition) {
        return IntStream.range(0, 1_000).mapToObj(i -> prefix + "-" + i).filter(id -> partition.test(partitionOf(id)))
                .findFirst().orElseThrow();
    }

    @Test
    void a_refused_row_sticks_one_partition_the_rest_goes_on_and_a_restart_after_the_fix_applies_it_all() throws Exception {
        // one test, in order: an unreadable record at the end sticks its partition for the rest of the run
        String stuck = idOn("stuck", p -> true);
        int stuckPartition = partitionOf(stuck);
        String bank = idOn("bank", p -> p != stuckPartition);
        String healthy = idOn("healthy", p -> p != stuckPartition);
        String transfer = idOn("t", p -> p != stuckPartition);
        open(ledger, bank, true);
        open(ledger, stuck, false);
        open(ledger, healthy, false);
        assertThat(deposit(ledger, bank, stuck, 700, "t-first").status()).isEqualTo(201);
        awaitBalance(ledger, stuck, 700);

        // what a bug, or an older build's data, does: PostgreSQL refuses the next row of this account
        sql(ledger, "ALTER TABLE read_model.accounts ADD CONSTRAINT test_refuses CHECK (account_id <> '" + stuck
                + "' OR credits_posted < 1000)");
        var refused = deposit(ledger, bank, stuck, 500, transfer);
        var afterIt = deposit(ledger, bank, healthy, 100, "t-healthy");

        // the write path decided both; the healthy partition keeps projecting
        assertThat(refused.status()).as(refused.toString()).isEqualTo(201);
        assertThat(refused.json().path("status").asText()).isEqualTo("COMPLETED");
        assertThat(afterIt.status()).isEqualTo(201);
        awaitBalance(ledger, healthy, 100);
        JsonNode problem = await(() -> ledger.get("/v1/accounts/" + stuck), r -> r.status() == 503).json();
        assertThat(problem.path("type").asText()).endsWith("/read-model-stuck");
        assertThat(problem.path("stuck").path("partition").asInt()).isEqualTo(stuckPartition);
        assertThat(problem.path("stuck").path("reason").asText()).contains("test_refuses");
        assertThat(ledger.get("/v1/accounts/" + healthy, "Ledger-Min-Position", stuck + ":3").status()).isEqualTo(503);
        var ready = ledger.get("/health/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().path("components").path("readModel").asText()).isEqualTo("DEGRADED");
        assertThat(ledger.get("/health/ready/read-model").status()).isEqualTo(503);
        assertThat(ledger.get("/health/ready/write").status()).isEqualTo(200);
        assertThat(ledger.get("/metrics").body()).containsPattern(
                "ledger_projection_stuck\\{[^}]*partition=\"" + stuckPartition + "\"");

        ledger.restart(); // not fixed: the ledger starts anyway, still stuck, still taking transfers
        assertThat(ledger.get("/v1/accounts/" + stuck).status()).isEqualTo(503);
        assertThat(deposit(ledger, bank, stuck, 1, "t-while-stuck").status()).isEqualTo(201);

        sql(ledger, "ALTER TABLE read_model.accounts DROP CONSTRAINT test_refuses"); // the fix: a migration
        ledger.restart();

        awaitBalance(ledger, stuck, 1_201);
        awaitBalance(ledger, healthy, 100);
        LedgerChecks.assertReadModelEqualsReplay(ledger.config(), LedgerChecks.settledReplay(ledger::committedEvents));
        assertThat(ledger.get("/health/ready/read-model").status()).isEqualTo(200);
        assertThat(ledger.get("/v1/accounts/" + stuck + "/entries").json().path("entries").size()).isEqualTo(3);

        // and a record a foreign producer wrote: not an event at all, it sticks its partition for good
        String ghost = idOn("ghost", p -> p != partitionOf(healthy));
        produceUnreadable(ledger, ghost);

        JsonNode ghostProblem = await(() -> ledger.get("/v1/accounts/" + ghost), r -> r.status() == 503).json();
        assertThat(ghostProblem.path("stuck").path("partition").asInt()).isEqualTo(partitionOf(ghost));
        assertThat(ghostProblem.path("stuck").path("reason").asText()).contains("unreadable event");
        assertThat(ledger.get("/health/ready").json().path("stuckPartitions").toString()).contains("unreadable event");
        assertThat(deposit(ledger, bank, healthy, 5, "t-after-ghost").status()).isEqualTo(201);
        awaitBalance(ledger, healthy, 105);
    }

    @Test
    void a_rebuild_swaps_in_a_fixed_partition_current_and_carries_an_unfixable_one_over_saying_so() throws Exception {
        try (var ledger = LedgerHarness.start("stuck-rebuild")) {
            String ghost = idOn("ghost", p -> true);
            int ghostPartition = partitionOf(ghost);
            String stuck = idOn("stuck", p -> p != ghostPartition);
            String bank = idOn("bank", p -> p != ghostPartition);
            String transfer = idOn("t", p -> p != ghostPartition);
            open(ledger, bank, true);
            open(ledger, stuck, false);
            assertThat(deposit(ledger, bank, stuck, 700, "t-first").status()).isEqualTo(201);
            awaitBalance(ledger, stuck, 700);
            sql(ledger, "ALTER TABLE read_model.accounts ADD CONSTRAINT test_refuses CHECK (account_id <> '" + stuck
                    + "' OR credits_posted < 1000)");
            assertThat(deposit(ledger, bank, stuck, 500, transfer).status()).isEqualTo(201);
            await(() -> ledger.get("/v1/accounts/" + stuck), r -> r.status() == 503);
            produceUnreadable(ledger, ghost);
            await(() -> ledger.get("/v1/accounts/" + ghost), r -> r.status() == 503);

            // the rebuilt tables come from the migrations alone, without the constraint: the fix
            List<String> said = Collections.synchronizedList(new ArrayList<>());
            new ReadModelRebuild(ledger.config(), "read_model", said::add, null, Map.of()).run(Duration.ofMinutes(2), false);

            assertThat(said).anyMatch(line -> line.contains("STUCK") && line.contains("-" + ghostPartition + "@"));
            awaitBalance(ledger, stuck, 1_200);
            assertThat(ledger.get("/v1/accounts/" + ghost).status()).as("carried over, not dropped").isEqualTo(503);
            // the running instance still parks that partition's new events until it restarts on the fix
            assertThat(deposit(ledger, bank, stuck, 1, "t-after-rebuild").status()).isEqualTo(201);
            ledger.restart();
            awaitBalance(ledger, stuck, 1_201);
            assertThat(ledger.get("/v1/accounts/" + stuck + "/entries").json().path("entries").size()).isEqualTo(3);
            assertThat(ledger.get("/v1/accounts/" + ghost).status()).isEqualTo(503);
        }
    }

    private static void produceUnreadable(LedgerHarness ledger, String key) {
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ledger.config().bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(ledger.config().topics().events(), key,
                    new byte[]{(byte) 0xff, 0x00, 0x7b})).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void open(LedgerHarness ledger, String id, boolean settlement) {
        var r = ledger.post("/v1/accounts", UUID.randomUUID().toString(),
                "{\"accountId\":\"" + id + "\",\"currency\":\"EUR\",\"unlimitedOverdraft\":" + settlement + "}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    private static LedgerClient.Response deposit(LedgerHarness ledger, String from, String to, long amount,
                                                 String transferId) {
        return ledger.post("/v1/transfers", UUID.randomUUID().toString(), "{\"transferId\":\"" + transferId
                + "\",\"debitAccountId\":\"" + from + "\",\"creditAccountId\":\"" + to + "\",\"amount\":" + amount
                + ",\"currency\":\"EUR\"}");
    }

    private static void awaitBalance(LedgerHarness ledger, String account, long balance) {
        await(() -> ledger.get("/v1/accounts/" + account),
                r -> r.status() == 200 && r.json().path("balance").asLong() == balance);
    }

    private static LedgerClient.Response await(Supplier<LedgerClient.Response> read,
                                               Predicate<LedgerClient.Response> done) {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        LedgerClient.Response last = read.get();
        while (!done.test(last)) {
            if (System.nanoTime() > deadline) fail("not there after " + SETTLE + ": " + last);
            LedgerChecks.sleep(200);
            last = read.get();
        }
        return last;
    }

    private static void sql(LedgerHarness ledger, String statement) throws SQLException {
        var config = ledger.config();
        try (var c = DriverManager.getConnection(config.jdbcUrl(), config.dbUser(), config.dbPassword());
             var s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
