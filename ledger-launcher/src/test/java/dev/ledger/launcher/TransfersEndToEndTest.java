package dev.ledger.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.transfer.TransferCommand.InitiateTransfer;
import dev.ledger.domain.transfer.TransferRequest;
import dev.ledger.kafka.CommandEnvelope;
import dev.ledger.kafka.LedgerJson;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Currency;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Money moving through the saga on the real broker and PostgreSQL, as a client sees it. */
class TransfersEndToEndTest {
    private static LedgerHarness ledger;

    @BeforeAll
    static void start() {
        ledger = LedgerHarness.start("transfers");
        open("{\"accountId\":\"bank\",\"currency\":\"EUR\",\"unlimitedOverdraft\":true}");
        open("{\"accountId\":\"alice\",\"currency\":\"EUR\"}");
        open("{\"accountId\":\"bob\",\"currency\":\"EUR\",\"overdraftLimit\":1000}");
        open("{\"accountId\":\"yen\",\"currency\":\"JPY\"}");
        open("{\"accountId\":\"olga\",\"currency\":\"EUR\",\"overdraftLimit\":1000}");
    }

    @AfterAll
    static void stop() {
        ledger.close();
    }

    private static void open(String body) {
        var r = ledger.post("/v1/accounts", UUID.randomUUID().toString(), body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    private static LedgerClient.Response transfer(String id, String debit, String credit, long amount) {
        return transfer(id, debit, credit, amount, "EUR", UUID.randomUUID().toString());
    }

    private static LedgerClient.Response transfer(String id, String debit, String credit, long amount, String currency,
                                                   String key) {
        return ledger.post("/v1/transfers", key, """
                {"transferId":"%s","debitAccountId":"%s","creditAccountId":"%s","amount":%d,"currency":"%s",
                 "reference":"test"}""".formatted(id, debit, credit, amount, currency));
    }

    private static JsonNode account(String id, String position) {
        var r = ledger.get("/v1/accounts/" + id, "Ledger-Min-Position", position);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    @Test
    void a_deposit_then_a_payment_move_money_and_the_statement_shows_each_balance() {
        // when
        var deposit = transfer("dep-1", "bank", "alice", 10_000);
        var payment = transfer("pay-1", "alice", "bob", 2_500);
        // then
        assertThat(deposit.status()).as(deposit.toString()).isEqualTo(201);
        assertThat(deposit.json().path("status").asText()).isEqualTo("COMPLETED");
        assertThat(payment.status()).as(payment.toString()).isEqualTo(201);

        JsonNode alice = account("alice", payment.header("Ledger-Position"));
        assertThat(alice.path("creditsPosted").asLong()).isEqualTo(10_000);
        assertThat(alice.path("debitsPosted").asLong()).isEqualTo(2_500);
        assertThat(alice.path("debitsPending").asLong()).isZero();
        assertThat(alice.path("balance").asLong()).isEqualTo(7_500);
        assertThat(alice.path("available").asLong()).isEqualTo(7_500);
        assertThat(account("bob", payment.header("Ledger-Position")).path("balance").asLong()).isEqualTo(2_500);

        var statement = ledger.get("/v1/accounts/alice/entries?limit=1", "Ledger-Min-Position", payment.header("Ledger-Position"));
        assertThat(statement.status()).as(statement.toString()).isEqualTo(200);
        JsonNode first = statement.json().path("entries").get(0);
        assertThat(first.path("transferId").asText()).isEqualTo("dep-1");
        assertThat(first.path("amount").asLong()).isEqualTo(10_000);
        assertThat(first.path("balanceAfter").asLong()).isEqualTo(10_000);
        String next = statement.json().path("next").asText();
        var rest = ledger.get("/v1/accounts/alice/entries?limit=10&after=" + next);
        JsonNode second = rest.json().path("entries").get(0);
        assertThat(second.path("transferId").asText()).isEqualTo("pay-1");
        assertThat(second.path("amount").asLong()).isEqualTo(-2_500);
        assertThat(second.path("balanceAfter").asLong()).isEqualTo(7_500);
        assertThat(rest.json().path("next").isNull()).isTrue();

        var status = ledger.get("/v1/transfers/pay-1", "Ledger-Min-Position", payment.header("Ledger-Position"));
        assertThat(status.json().path("status").asText()).isEqualTo("COMPLETED");
        assertThat(status.json().path("amount").asLong()).isEqualTo(2_500);
    }

    @Test
    void each_rejection_is_a_422_with_its_reason_and_the_transfer_is_recorded_as_rejected() {
        assertThat(transfer("fund-olga", "bank", "olga", 100).status()).isEqualTo(201);

        var overdrawn = transfer("over-1", "olga", "alice", 1_101); // 100 + overdraft 1000 < 1101
        var withinOverdraft = transfer("over-2", "olga", "alice", 1_100);
        var missing = transfer("nf-1", "bank", "nobody", 10); // reserved, then released
        var currency = transfer("cur-1", "bank", "yen", 10);

        assertThat(overdrawn.status()).as(overdrawn.toString()).isEqualTo(422);
        assertThat(overdrawn.json().path("reason").asText()).isEqualTo("INSUFFICIENT_FUNDS");
        assertThat(overdrawn.json().path("transferStatus").asText()).isEqualTo("REJECTED");
        assertThat(withinOverdraft.status()).as(withinOverdraft.toString()).isEqualTo(201);
        assertThat(missing.json().path("reason").asText()).isEqualTo("ACCOUNT_NOT_FOUND");
        assertThat(currency.json().path("reason").asText()).isEqualTo("CURRENCY_MISMATCH");

        assertThat(missing.header("Ledger-Position")).as("the release touched the bank").startsWith("bank:")
                .as("and the token covers the transfer itself").contains("transfer/nf-1:2");
        // the token of the last write on the bank: a read with an earlier one may already show cur-1's hold
        JsonNode bank = account("bank", currency.header("Ledger-Position"));
        assertThat(bank.path("debitsPending").asLong()).as("both holds were released").isZero();
        JsonNode olga = account("olga", withinOverdraft.header("Ledger-Position"));
        assertThat(olga.path("balance").asLong()).isEqualTo(-1_000);
        assertThat(olga.path("available").asLong()).isZero();
        var recorded = ledger.get("/v1/transfers/nf-1", "Ledger-Min-Position", missing.header("Ledger-Position"));
        assertThat(recorded.json().path("status").asText()).isEqualTo("REJECTED");
        assertThat(recorded.json().path("reason").asText()).isEqualTo("ACCOUNT_NOT_FOUND");
    }

    @Test
    void a_closed_account_rejects_transfers() {
        open("{\"accountId\":\"gone\",\"currency\":\"EUR\"}");
        assertThat(ledger.post("/v1/accounts/gone/close", UUID.randomUUID().toString(), "").status()).isEqualTo(200);

        var r = transfer("to-closed", "bank", "gone", 5);
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().path("reason").asText()).isEqualTo("ACCOUNT_CLOSED");
    }

    @Test
    void a_retry_returns_the_original_outcome_and_another_body_under_the_same_id_is_409() {
        String key = UUID.randomUUID().toString();
        var first = transfer("retry-1", "bank", "alice", 42, "EUR", key);
        var retry = transfer("retry-1", "bank", "alice", 42, "EUR", key);
        var otherBody = transfer("retry-1", "bank", "alice", 43);

        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(otherBody.status()).isEqualTo(409);
        long credited = ledger.committedEvents().stream()
                .filter(e -> e.type().equals("AccountCredited") && e.correlationId().equals("retry-1")).count();
        assertThat(credited).isEqualTo(1);
    }

    @Test
    void an_unreadable_command_is_dead_lettered_counted_and_the_partition_goes_on() throws Exception {
        var config = ledger.config();
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            // keyed like alice, so it lands on the partition that serves her
            producer.send(new ProducerRecord<>(config.topics().commands(), "alice", "{\"type\":\"StealMoney\",\"schemaVersion\":1}")).get();
        }

        var after = transfer("after-garbage", "bank", "alice", 1);
        assertThat(after.status()).as("the partition still serves alice").isEqualTo(201);
        var deadLetters = new java.util.ArrayList<String>();
        ledger.client().readCommitted(config.topics().deadLetters(), r -> deadLetters.add(
                new String(r.headers().lastHeader("ledger-dead-letter-reason").value(), StandardCharsets.UTF_8)));
        assertThat(deadLetters).anyMatch(reason -> reason.contains("unknown command type 'StealMoney'"));
        assertThat(ledger.get("/metrics").body()).containsPattern("ledger_commands_dead_lettered_total(\\{[^}]*})? [1-9]");
    }

    @Test
    void a_command_with_a_nul_in_its_reference_from_a_plain_producer_is_dead_lettered_and_changes_nothing()
            throws Exception {
        open("{\"accountId\":\"nul-target\",\"currency\":\"EUR\"}");
        var config = ledger.config();
        var command = new InitiateTransfer(new TransferRequest("nul-1", "bank", "nul-target", 700,
                Currency.getInstance("EUR"), "ref", Map.of()));
        // valid JSON, as a producer that bypasses the API could write it; PostgreSQL cannot store the NUL
        String json = new String(LedgerJson.writeCommand(CommandEnvelope.fromClient(UUID.randomUUID().toString(),
                Instant.now(), command)), StandardCharsets.UTF_8).replace("\"ref\"", "\"bad\\u0000ref\"");
        assertThat(json).contains("bad\\u0000ref");
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(config.topics().commands(), "nul-1", json)).get();
        }

        var after = transfer("after-nul", "bank", "nul-target", 1);
        assertThat(after.status()).as(after.toString()).isEqualTo(201);
        assertThat(account("nul-target", after.header("Ledger-Position")).path("balance").asLong())
                .as("only the transfer through the API moved money").isEqualTo(1);
        var deadLetters = new java.util.ArrayList<String>();
        ledger.client().readCommitted(config.topics().deadLetters(), r -> deadLetters.add(
                new String(r.headers().lastHeader("ledger-dead-letter-reason").value(), StandardCharsets.UTF_8)));
        assertThat(deadLetters).contains(
                "reference contains a control character (U+0000) at character 3 (counting code points from 0)");
        assertThat(ledger.committedEvents()).noneMatch(e -> e.aggregateId().equals("nul-1"));
        assertThat(ledger.get("/v1/transfers/nul-1").status()).isEqualTo(404);
    }

    @Test
    void a_transfer_between_the_same_account_is_a_400() {
        var r = transfer("self", "alice", "alice", 1);
        assertThat(r.status()).isEqualTo(400);
        assertThat(ledger.get("/v1/transfers/self").status()).isEqualTo(404);
    }
}
