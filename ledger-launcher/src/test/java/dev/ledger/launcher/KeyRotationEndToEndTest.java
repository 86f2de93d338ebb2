package dev.ledger.launcher;

import dev.ledger.audit.AuditCheck;
import dev.ledger.audit.AuditOptions;
import dev.ledger.audit.AuditReport;
import dev.ledger.audit.LedgerAudit;
import dev.ledger.domain.account.AccountCommand.CreditAccount;
import dev.ledger.kafka.CommandEnvelope;
import dev.ledger.kafka.DeadLetter;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.EventRecords;
import dev.ledger.kafka.HopSeal;
import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.LedgerJson;
import dev.ledger.kafka.LedgerKeys;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A key rotation on the real stack: a ledger writes with its single key A (the legacy default id), is restarted
 * with the ring {A, B} signing with B, and goes on. New records name B, the old ones still verify under A, so
 * the audit passes over the whole log with the ring (and fails, naming B, without it); a saga step sealed
 * under a key id the ring does not hold is dead-lettered and moves no money.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeyRotationEndToEndTest {
    private static final String NEW_KEY_ID = "2026-12";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static LedgerHarness ledger;
    private static LedgerConfig beforeRotation;

    @BeforeAll
    static void start() {
        ledger = LedgerHarness.start("rotation");
        beforeRotation = ledger.config();
    }

    @AfterAll
    static void stop() {
        ledger.close();
    }

    @Test
    @Order(1)
    void given_a_ledger_rotated_to_a_new_key_then_new_records_name_it_and_old_ones_keep_the_default() {
        open("{\"accountId\":\"bank\",\"currency\":\"EUR\",\"unlimitedOverdraft\":true}");
        open("{\"accountId\":\"alice\",\"currency\":\"EUR\"}");
        open("{\"accountId\":\"bob\",\"currency\":\"EUR\"}");
        settled("before-rotation", transfer("before-rotation", "bank", "alice", 2500));

        byte[] newKey = new byte[32];
        new SecureRandom().nextBytes(newKey);
        byte[] oldKey = beforeRotation.keys().signingKey();
        ledger.restartWith(beforeRotation.withKeys(new LedgerKeys(
                Map.of(LedgerKeys.DEFAULT_ID, oldKey, NEW_KEY_ID, newKey), NEW_KEY_ID)));
        var after = transfer("after-rotation", "alice", "bob", 1000);
        settled("after-rotation", after);

        var bob = ledger.get("/v1/accounts/bob", "Ledger-Min-Position", after.header("Ledger-Position"));
        assertThat(bob.status()).as(bob.toString()).isEqualTo(200);
        assertThat(bob.json().path("balance").asLong()).isEqualTo(1000);
        Map<String, String> keyIdByTransfer = keyIdsOfTransferEvents();
        assertThat(keyIdByTransfer).containsEntry("before-rotation", LedgerKeys.DEFAULT_ID)
                .containsEntry("after-rotation", NEW_KEY_ID);
    }

    @Test
    @Order(2)
    void after_the_rotation_the_audit_with_the_ring_verifies_the_whole_log_and_without_the_new_key_names_it() {
        AuditReport withRing = LedgerAudit.run(ledger.config(), AuditOptions.defaults().withThreads(2));
        AuditReport withOldKeyOnly = LedgerAudit.run(beforeRotation, AuditOptions.defaults().withThreads(2));

        AuditFixtures.assertPassed(withRing);
        assertThat(withRing.account("bob").balance()).isEqualTo(1000);
        assertThat(withOldKeyOnly.failedChecks()).as(withOldKeyOnly.summary()).containsExactly(AuditCheck.HASH_CHAIN);
        assertThat(withOldKeyOnly.check(AuditCheck.HASH_CHAIN).details()).isNotEmpty()
                .allSatisfy(v -> assertThat(v.detail()).contains("'" + NEW_KEY_ID + "'"));
    }

    @Test
    @Order(3)
    void a_saga_step_sealed_under_a_key_id_the_ring_does_not_hold_is_dead_lettered_and_moves_no_money() throws Exception {
        var retired = new LedgerKeys(Map.of("retired", "a key the ring does not hold....".getBytes(StandardCharsets.UTF_8)),
                "retired");
        var credit = new CreditAccount("bob", "forged-transfer", 1_000_000, Currency.getInstance("EUR"), "bank", 2);
        byte[] bytes = LedgerJson.writeCommand(new CommandEnvelope("forged-transfer/CreditAccount", "CreditAccount",
                Instant.now(), "forged-transfer", "forged-transfer/previous-event", credit));

        try (var producer = AuditFixtures.producer(ledger.config())) {
            producer.send(new ProducerRecord<>(ledger.config().topics().commands(), null, "bob", bytes,
                    retired.sign(new RecordHeaders().add(HopSeal.HEADER, new HopSeal(retired).seal(bytes))))).get();
        }

        String reason = deadLetterReasonOf(bytes);
        assertThat(reason).contains("'retired'").contains(LedgerKeys.HEADER);
        var bob = ledger.get("/v1/accounts/bob");
        assertThat(bob.json().path("balance").asLong()).isEqualTo(1000);
        assertThat(ledger.committedEvents()).noneMatch(e -> e.correlationId() != null
                && e.correlationId().contains("forged-transfer"));
    }

    private static void open(String body) {
        var opened = ledger.post("/v1/accounts", "open-" + body.hashCode(), body);
        assertThat(opened.status()).as(opened.toString()).isEqualTo(201);
    }

    private static LedgerClient.Response transfer(String id, String debit, String credit, long amount) {
        var r = ledger.post("/v1/transfers", "transfer-" + id, "{\"transferId\":\"" + id + "\",\"debitAccountId\":\""
                + debit + "\",\"creditAccountId\":\"" + credit + "\",\"amount\":" + amount + ",\"currency\":\"EUR\"}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r;
    }

    /** Waits until the read model shows the transfer settled: every event of its saga is written. */
    private static void settled(String transferId, LedgerClient.Response answer) {
        var read = ledger.get("/v1/transfers/" + transferId, "Ledger-Min-Position", answer.header("Ledger-Position"),
                "Prefer", "wait=30");
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(read.json().path("status").asText()).isEqualTo("COMPLETED");
    }

    /** The key id of the records that hold each transfer's own events (by transfer id): one id per transfer expected. */
    private static Map<String, String> keyIdsOfTransferEvents() {
        var ids = new HashMap<String, List<String>>();
        ledger.client().readCommitted(ledger.config().topics().events(), r -> {
            String keyId = LedgerKeys.idOf(r.headers());
            for (EventEnvelope e : EventRecords.decode(r.key(), r.value(), r.headers())) {
                if (e.aggregateId().endsWith("-rotation")) ids.computeIfAbsent(e.aggregateId(), t -> new ArrayList<>()).add(keyId);
            }
        });
        var single = new HashMap<String, String>();
        ids.forEach((transfer, keyIds) -> {
            assertThat(keyIds).as(transfer).isNotEmpty().containsOnly(keyIds.getFirst());
            single.put(transfer, keyIds.getFirst());
        });
        return single;
    }

    /** The reason of the dead letter holding exactly these bytes, waiting for the processor to write it. */
    private static String deadLetterReasonOf(byte[] command) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            var found = new ArrayList<String>();
            ledger.client().readCommitted(ledger.config().topics().deadLetters(), r -> {
                if (java.util.Arrays.equals(r.value(), command)) {
                    found.add(new String(r.headers().lastHeader(DeadLetter.REASON_HEADER).value(), StandardCharsets.UTF_8));
                }
            });
            if (!found.isEmpty()) return found.getFirst();
            Thread.sleep(200);
        }
        throw new AssertionError("no dead letter of the forged step after " + WAIT);
    }
}
