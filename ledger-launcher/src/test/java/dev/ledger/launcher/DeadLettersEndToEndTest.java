package dev.ledger.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.audit.AuditCheck;
import dev.ledger.audit.AuditOptions;
import dev.ledger.audit.AuditReport;
import dev.ledger.audit.LedgerAudit;
import dev.ledger.domain.account.AccountCommand.CreditAccount;
import dev.ledger.domain.account.AccountEvent.AccountOpened;
import dev.ledger.domain.account.AccountEvent.FundsReserved;
import dev.ledger.domain.transfer.TransferEvent.TransferInitiated;
import dev.ledger.domain.transfer.TransferCommand.InitiateTransfer;
import dev.ledger.domain.transfer.TransferRequest;
import dev.ledger.kafka.AggregatePartitions;
import dev.ledger.kafka.CommandEnvelope;
import dev.ledger.kafka.CommandRecords;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.HashChain;
import dev.ledger.kafka.LedgerJson;
import dev.ledger.domain.LedgerEvent;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Records a foreign producer writes straight to the ledger's topics, on the real broker and PostgreSQL:
 * every refused command is listed by {@code ./ledger dead-letters} with its reason and counted in
 * {@code /metrics} (also after a restart), and moves no money; a dead-lettered saga step that leaves a
 * reservation held fails the audit, naming the transfer, the command and the reason; an unreadable
 * record on the event topic is named by the audit, which still runs every other check.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeadLettersEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String UNSEALED = "a saga step the ledger did not write";
    private static final Currency EUR = Currency.getInstance("EUR");

    private LedgerHarness ledger;
    private long carolBefore;

    @BeforeAll
    void start() {
        ledger = LedgerHarness.start("dead-letters");
        TransferInvariantTest.open(ledger, "bank", true);
        TransferInvariantTest.open(ledger, "carol", false);
        var deposit = transfer("deposit-1", 1_000);
        carolBefore = balance("carol", deposit.header("Ledger-Position"));
        assertThat(carolBefore).isEqualTo(1_000);
    }

    @AfterAll
    void stop() {
        if (ledger != null) ledger.close();
    }

    @Test
    @Order(1)
    void foreign_commands_are_dead_lettered_listed_with_their_reasons_counted_and_move_no_money() throws Exception {
        // given: four records no client of the API could send, keyed like carol so they reach her partition;
        // the forged credit in today's binary format, the invalid one in the JSON format of earlier builds
        var forgedCredit = new CreditAccount("carol", "no-such-transfer", 1_000_000, EUR, "bank", 2);
        var invalidCredit = new CreditAccount("carol", "bad id!", 1_000_000, EUR, "bank", 2);
        // and a client's transfer to carol, valid, keyed by its id, but put on another partition than its own
        var partitions = new AggregatePartitions(ledger.config().partitions());
        var misplaced = new InitiateTransfer(new TransferRequest("misplaced-1", "bank", "carol", 1_000_000, EUR,
                "misplaced", Map.of()));
        int wrongPartition = (partitions.partitionOf("misplaced-1") + 1) % ledger.config().partitions();
        try (var producer = AuditFixtures.producer(ledger.config())) {
            String commands = ledger.config().topics().commands();
            producer.send(new ProducerRecord<>(commands, "carol", new byte[]{(byte) 0xff, 0, 'x'})).get();
            producer.send(new ProducerRecord<>(commands, "carol",
                    "{\"type\":\"StealMoney\",\"schemaVersion\":1,\"commandId\":\"steal-1\"}"
                            .getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(commands, "carol", binaryHop(forgedCredit, "no-such-transfer"))).get();
            producer.send(new ProducerRecord<>(commands, "carol", jsonHop(invalidCredit, "bad id!"))).get();
            producer.send(new ProducerRecord<>(commands, wrongPartition, "misplaced-1", CommandRecords.write(List.of(
                    CommandEnvelope.fromClient("misplaced-command", Instant.now(), misplaced))))).get();
        }

        // when: a client's transfer to carol comes after them on her partition
        var after = transfer("after-foreign-records", 5);

        // then
        assertThat(balance("carol", after.header("Ledger-Position"))).as("only the client's transfer moved money")
                .isEqualTo(carolBefore + 5);
        JsonNode listing = eventually(this::listing, l -> l.path("total").asLong() == 5);
        List<JsonNode> letters = new ArrayList<>();
        listing.path("deadLetters").forEach(letters::add);
        assertThat(letters).hasSize(5).allSatisfy(l -> {
            assertThat(l.path("source").asText()).matches(ledger.config().topics().commands().replace(".", "\\.")
                    + "-\\d+@\\d+");
            assertThat(l.path("time").asText()).isNotEmpty();
        });
        // carol's four in the order of her partition; the misplaced one, of another partition, anywhere among them
        List<JsonNode> carols = letters.stream().filter(l -> l.path("key").asText().equals("carol")).toList();
        assertThat(carols).hasSize(4);
        JsonNode misplacedLetter = letters.stream().filter(l -> l.path("key").asText().equals("misplaced-1"))
                .findFirst().orElseThrow();
        assertThat(carols.get(0).path("reason").asText()).contains("malformed JSON");
        assertThat(carols.get(0).has("commandType")).isFalse();
        assertThat(carols.get(0).path("excerpt").asText()).contains("\\u0000");
        assertThat(carols.get(1).path("reason").asText()).contains("unknown command type 'StealMoney'");
        assertThat(carols.get(1).path("commandType").asText()).isEqualTo("StealMoney");
        assertThat(carols.get(1).path("commandId").asText()).isEqualTo("steal-1");
        assertThat(carols.get(2).path("reason").asText()).startsWith(UNSEALED);
        assertThat(carols.get(2).path("commandType").asText()).isEqualTo("CreditAccount");
        assertThat(carols.get(2).path("commandId").asText()).isEqualTo("no-such-transfer/CreditAccount");
        assertThat(carols.get(2).path("transferId").asText()).isEqualTo("no-such-transfer");
        assertThat(carols.get(2).path("excerpt").asText()).as("a binary command is shown decoded")
                .startsWith("{\"commandId\":\"no-such-transfer/CreditAccount\",\"type\":\"CreditAccount\"");
        assertThat(carols.get(3).path("reason").asText()).isEqualTo("invalid transferId");
        assertThat(misplacedLetter.path("source").asText()).matches(".*-" + wrongPartition + "@\\d+");
        assertThat(misplacedLetter.path("reason").asText()).isEqualTo("aggregate 'misplaced-1' lives on partition "
                + partitions.partitionOf("misplaced-1") + " of the commands topic, not on partition " + wrongPartition
                + " it was read from");
        assertThat(ledger.get("/v1/transfers/misplaced-1").status()).as("the misplaced transfer was never decided")
                .isEqualTo(404);

        var text = AuditEndToEndTest.cli(new DeadLettersCommand(ledger.config()));
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).contains("5 dead letters on " + ledger.config().topics().deadLetters())
                .contains("unknown command type 'StealMoney'").contains(UNSEALED)
                .contains("CreditAccount no-such-transfer/CreditAccount, a step of transfer no-such-transfer")
                .contains("{\"commandId\":\"no-such-transfer/CreditAccount\"");
        var newest = AuditEndToEndTest.cli(new DeadLettersCommand(ledger.config()), "--limit", "1");
        assertThat(newest.out()).contains("(the newest 1 shown)").containsAnyOf("invalid transferId", "lives on partition")
                .doesNotContain("StealMoney");

        // registered on the root command; without a running ledger it says how to start one
        var missing = AuditEndToEndTest.cli(LedgerCli.commandLine(), "dead-letters", "--data-dir",
                Files.createTempDirectory("no-ledger").resolve("nothing").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("no ledger data directory");

        eventually(this::metrics, m -> m.contains("ledger_dead_letters 5.0"));
        assertThat(metrics()).containsPattern("ledger_commands_dead_lettered_total(\\{[^}]*})? 5\\.0");
    }

    @Test
    @Order(2)
    void after_a_restart_the_metric_still_counts_every_dead_letter_on_the_topic() {
        ledger.restart();

        String metrics = eventually(this::metrics, m -> m.contains("ledger_dead_letters 5.0"));
        assertThat(metrics).as("the per-process counter starts again at zero, as documented")
                .containsPattern("ledger_commands_dead_lettered_total(\\{[^}]*})? 0\\.0");
    }

    /**
     * The processor dead-letters its own sealed hops only when a later build refuses what an earlier one
     * wrote, which no test can stage honestly. So the reservation is written as the processor writes one
     * (events of a new account and a new transfer, hash-chained with the ledger key), and its follow-up
     * CreditAccount, unsealed, goes to the commands topic, where the real processor dead-letters it.
     */
    @Test
    @Order(3)
    void a_dead_lettered_saga_step_that_leaves_a_reservation_held_fails_the_audit_naming_transfer_command_and_reason()
            throws Exception {
        // given: transfer x-held reserved 700 on dave for carol
        String transferId = "x-held";
        Instant now = Instant.now();
        try (var producer = AuditFixtures.producer(ledger.config())) {
            var chain = new HashChain(ledger.config().keys().signingKey());
            byte[] daveHash = append(producer, chain, HashChain.GENESIS, "dave", 1, now, "open-dave",
                    new AccountOpened("dave", EUR, 0, true, Map.of()));
            append(producer, chain, HashChain.GENESIS, transferId, 1, now, "initiate-x-held",
                    new TransferInitiated(transferId, "dave", "carol", 700, EUR, "held", Map.of()));
            append(producer, chain, daveHash, "dave", 2, now, transferId + "/ReserveFunds",
                    new FundsReserved("dave", transferId, 700, "carol"));
            // when: its credit reaches the processor without the processor's seal
            producer.send(new ProducerRecord<>(ledger.config().topics().commands(), "carol",
                    binaryHop(new CreditAccount("carol", transferId, 700, EUR, "dave", 2), transferId))).get();
        }
        eventually(this::listing, l -> l.path("total").asLong() == 6);

        // then
        var run = AuditEndToEndTest.cli(new AuditCommand(ledger.config()));
        assertThat(run.exitCode()).as(run.out()).isEqualTo(1);
        assertThat(run.out()).contains("AUDIT FAILED").contains("DEAD_LETTERS").contains(transferId);
        AuditReport report = LedgerAudit.run(ledger.config(), AuditOptions.defaults().withThreads(2));
        assertThat(report.failedChecks()).as(report.summary()).containsExactly(AuditCheck.DEAD_LETTERS);
        assertThat(report.check(AuditCheck.DEAD_LETTERS).details()).as("no-such-transfer held nothing")
                .singleElement().satisfies(v -> {
                    assertThat(v.aggregateId()).isEqualTo(transferId);
                    assertThat(v.detail()).contains("holding 700 EUR on dave")
                            .contains("CreditAccount " + transferId + "/CreditAccount").contains(UNSEALED);
                });
        assertThat(report.account("carol").balance()).isEqualTo(carolBefore + 5);
        assertThat(report.account("dave").debitsPending()).isEqualTo(700);
    }

    /** Last: the event topic of the live ledger is left with records nobody can read. */
    @Test
    @Order(4)
    void an_unreadable_record_on_the_event_topic_is_named_by_the_audit_which_runs_every_other_check() throws Exception {
        // given
        String events = ledger.config().topics().events();
        RecordMetadata garbage;
        RecordMetadata unknownType;
        try (var producer = AuditFixtures.producer(ledger.config())) {
            garbage = producer.send(new ProducerRecord<>(events, "carol", new byte[]{(byte) 0xff, 0, 1})).get();
            unknownType = producer.send(new ProducerRecord<>(events, "carol", ("{\"eventId\":\"ev-unknown\","
                    + "\"type\":\"FundsStolen\",\"schemaVersion\":1}").getBytes(StandardCharsets.UTF_8))).get();
        }

        // when: the read model is another stage's business; this is about the log
        var run = AuditEndToEndTest.cli(new AuditCommand(ledger.config()), "--no-reconcile");
        AuditReport report = LedgerAudit.run(ledger.config(), AuditOptions.defaults().withThreads(2).withReconcile(false));

        // then
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("READABLE").contains(events + "-" + garbage.partition() + "@" + garbage.offset());
        assertThat(report.check(AuditCheck.READABLE).details()).hasSize(2).anySatisfy(v -> {
            assertThat(v.partition()).isEqualTo(garbage.partition());
            assertThat(v.offset()).isEqualTo(garbage.offset());
            assertThat(v.detail()).contains("unreadable event: ");
        }).anySatisfy(v -> {
            assertThat(v.offset()).isEqualTo(unknownType.offset());
            assertThat(v.detail()).contains(events + "-" + unknownType.partition() + "@" + unknownType.offset())
                    .contains("event id ev-unknown").contains("unknown event type 'FundsStolen'");
        });
        assertThat(report.failedChecks()).as("every other check ran as before")
                .containsExactlyInAnyOrder(AuditCheck.READABLE, AuditCheck.DEAD_LETTERS);
        assertThat(report.account("carol").balance()).isEqualTo(carolBefore + 5);
    }

    private LedgerClient.Response transfer(String id, long amount) {
        var r = ledger.post("/v1/transfers", UUID.randomUUID().toString(), """
                {"transferId":"%s","debitAccountId":"bank","creditAccountId":"carol","amount":%d,"currency":"EUR"}"""
                .formatted(id, amount));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r;
    }

    private long balance(String account, String position) {
        var r = ledger.get("/v1/accounts/" + account, "Ledger-Min-Position", position);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().path("balance").asLong();
    }

    /** A saga step as the processor would address it, in a record as the processor writes one, but without its seal. */
    private static byte[] binaryHop(CreditAccount command, String transferId) {
        return CommandRecords.write(List.of(step(command, transferId)));
    }

    /** The same, as one JSON envelope: the first format, which earlier builds wrote. */
    private static byte[] jsonHop(CreditAccount command, String transferId) {
        return LedgerJson.writeCommand(step(command, transferId));
    }

    private static CommandEnvelope step(CreditAccount command, String transferId) {
        return new CommandEnvelope(transferId + "/CreditAccount", "CreditAccount", Instant.now(), transferId,
                transferId + "/previous-event", command);
    }

    /** Writes one event as the processor does (keyed by its aggregate, chained with the key); returns its hash. */
    private byte[] append(org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> producer, HashChain chain,
                          byte[] previous, String aggregateId, long seq, Instant at, String commandId,
                          LedgerEvent event) throws Exception {
        var envelope = new EventEnvelope(UUID.randomUUID().toString(), LedgerJson.typeName(event),
                LedgerJson.SCHEMA_VERSION, aggregateId, seq, at, commandId, "x-held", commandId, event);
        byte[] bytes = LedgerJson.writeEvent(envelope);
        byte[] hash = chain.next(previous, bytes);
        producer.send(new ProducerRecord<>(ledger.config().topics().events(), null, at.toEpochMilli(), aggregateId,
                bytes, new RecordHeaders().add(HashChain.HEADER, hash))).get();
        return hash;
    }

    private JsonNode listing() {
        var run = AuditEndToEndTest.cli(new DeadLettersCommand(ledger.config()), "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        try {
            return LedgerJson.MAPPER.readTree(run.out());
        } catch (java.io.IOException e) {
            throw new AssertionError(run.out(), e);
        }
    }

    private String metrics() {
        var r = ledger.get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        return r.body();
    }

    /** The first value that satisfies {@code done}, polling until {@link #WAIT} has passed. */
    private static <T> T eventually(Supplier<T> value, Predicate<T> done) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        T last = value.get();
        while (!done.test(last)) {
            assertThat(System.nanoTime()).as("still not there after %s: %s", WAIT, last).isLessThan(deadline);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            last = value.get();
        }
        return last;
    }
}
