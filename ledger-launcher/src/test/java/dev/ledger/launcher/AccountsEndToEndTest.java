package dev.ledger.launcher;

import dev.ledger.kafka.EventEnvelope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Accounts through the real path: HTTP -> Kafka -> processor -> events -> projection -> PostgreSQL -> HTTP. */
class AccountsEndToEndTest {
    private static LedgerHarness ledger;

    @BeforeAll
    static void start() {
        ledger = LedgerHarness.start("accounts");
    }

    @AfterAll
    static void stop() {
        ledger.close();
    }

    private static String key() {
        return UUID.randomUUID().toString();
    }

    private static long eventsOf(String aggregateId) {
        return ledger.committedEvents().stream().filter(e -> e.aggregateId().equals(aggregateId)).count();
    }

    @Test
    void an_opened_account_reads_back_with_zero_balances() {
        // when
        var created = ledger.post("/v1/accounts", key(),
                "{\"accountId\":\"alice\",\"currency\":\"EUR\",\"overdraftLimit\":500,\"metadata\":{\"customer\":\"c-17\"}}");
        // then
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().path("accountId").asText()).isEqualTo("alice");
        assertThat(created.header("Ledger-Position")).isEqualTo("alice:1");

        var read = ledger.get("/v1/accounts/alice", "Ledger-Min-Position", created.header("Ledger-Position"));
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        var body = read.json();
        assertThat(body.path("currency").asText()).isEqualTo("EUR");
        assertThat(body.path("status").asText()).isEqualTo("OPEN");
        assertThat(body.path("overdraftLimit").asLong()).isEqualTo(500);
        assertThat(body.path("unlimitedOverdraft").asBoolean()).isFalse();
        assertThat(body.path("balance").asLong()).isZero();
        assertThat(body.path("available").asLong()).isEqualTo(500);
        assertThat(body.path("debitsPosted").asLong()).isZero();
        assertThat(body.path("metadata").path("customer").asText()).isEqualTo("c-17");
    }

    @Test
    void a_settlement_account_has_no_available_limit() {
        var created = ledger.post("/v1/accounts", key(),
                "{\"accountId\":\"bank\",\"currency\":\"JPY\",\"unlimitedOverdraft\":true}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);

        var read = ledger.get("/v1/accounts/bank", "Ledger-Min-Position", created.header("Ledger-Position"));
        assertThat(read.json().path("unlimitedOverdraft").asBoolean()).isTrue();
        assertThat(read.json().path("available").isNull()).isTrue();
    }

    @Test
    void a_retried_request_gets_the_same_answer_and_appends_no_second_event() {
        String key = key();
        String body = "{\"accountId\":\"carol\",\"currency\":\"EUR\"}";
        var first = ledger.post("/v1/accounts", key, body);
        var retry = ledger.post("/v1/accounts", key, body);

        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(retry.json()).isEqualTo(first.json());
        assertThat(eventsOf("carol")).isEqualTo(1);
    }

    @Test
    void an_id_derived_from_the_key_is_stable_and_a_reused_key_with_another_body_is_422() {
        String key = key();
        var first = ledger.post("/v1/accounts", key, "{\"currency\":\"EUR\"}");
        var retry = ledger.post("/v1/accounts", key, "{\"currency\":\"EUR\"}");
        var reused = ledger.post("/v1/accounts", key, "{\"currency\":\"USD\"}");

        assertThat(first.status()).isEqualTo(201);
        String id = first.json().path("accountId").asText();
        assertThat(retry.json().path("accountId").asText()).isEqualTo(id);
        assertThat(reused.status()).as(reused.toString()).isEqualTo(422);
        assertThat(reused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(eventsOf(id)).isEqualTo(1);
    }

    @Test
    void an_explicit_id_with_other_attributes_is_a_409_conflict() {
        assertThat(ledger.post("/v1/accounts", key(), "{\"accountId\":\"dave\",\"currency\":\"EUR\"}").status())
                .isEqualTo(201);
        var conflict = ledger.post("/v1/accounts", key(), "{\"accountId\":\"dave\",\"currency\":\"GBP\"}");
        assertThat(conflict.status()).as(conflict.toString()).isEqualTo(409);
        assertThat(eventsOf("dave")).isEqualTo(1);
    }

    @Test
    void bad_input_is_a_400_naming_each_field_and_appends_nothing() {
        long before = ledger.committedEvents().size();

        var bad = ledger.post("/v1/accounts", key(),
                "{\"accountId\":\"no spaces allowed\",\"currency\":\"XYZ\",\"overdraftLimit\":1.5}");
        var malformed = ledger.post("/v1/accounts", key(), "{\"currency\":");
        var negative = ledger.post("/v1/accounts", key(), "{\"currency\":\"EUR\",\"overdraftLimit\":-1}");
        var noKey = ledger.post("/v1/accounts", null, "{\"currency\":\"EUR\"}");

        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.header("Content-Type")).startsWith("application/problem+json");
        assertThat(bad.json().path("status").asInt()).isEqualTo(400);
        assertThat(bad.json().findValuesAsText("field")).contains("accountId", "currency", "overdraftLimit");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(negative.status()).isEqualTo(400);
        assertThat(negative.json().findValuesAsText("field")).contains("overdraftLimit");
        assertThat(noKey.status()).isEqualTo(400);
        assertThat(noKey.json().findValuesAsText("field")).contains("Idempotency-Key");
        assertThat(ledger.committedEvents()).hasSize((int) before);
    }

    @Test
    void an_unknown_account_is_404() {
        var read = ledger.get("/v1/accounts/nobody");
        assertThat(read.status()).isEqualTo(404);
        assertThat(read.header("Content-Type")).startsWith("application/problem+json");
    }

    @Test
    void a_closed_account_reads_as_closed() {
        assertThat(ledger.post("/v1/accounts", key(), "{\"accountId\":\"erin\",\"currency\":\"EUR\"}").status())
                .isEqualTo(201);
        var closed = ledger.post("/v1/accounts/erin/close", key(), "");
        assertThat(closed.status()).as(closed.toString()).isEqualTo(200);
        assertThat(closed.header("Ledger-Position")).isEqualTo("erin:2");

        var read = ledger.get("/v1/accounts/erin", "Ledger-Min-Position", closed.header("Ledger-Position"));
        assertThat(read.json().path("status").asText()).isEqualTo("CLOSED");
        assertThat(ledger.post("/v1/accounts/nobody/close", key(), "").status()).isEqualTo(404);
    }

    @Test
    void the_state_survives_a_restart_of_processors_and_api() {
        String key = key();
        String body = "{\"accountId\":\"frank\",\"currency\":\"EUR\"}";
        var created = ledger.post("/v1/accounts", key, body);
        assertThat(created.status()).isEqualTo(201);

        ledger.restart();

        var read = ledger.get("/v1/accounts/frank", "Ledger-Min-Position", created.header("Ledger-Position"));
        assertThat(read.status()).isEqualTo(200);
        var retry = ledger.post("/v1/accounts", key, body);
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.header("Idempotent-Replayed")).as("deduplicated after the restart").isEqualTo("true");
        assertThat(ledger.post("/v1/accounts", key(), "{\"accountId\":\"grace\",\"currency\":\"EUR\"}").status())
                .isEqualTo(201);
        assertThat(eventsOf("frank")).isEqualTo(1);
        for (EventEnvelope e : ledger.committedEvents()) {
            assertThat(e.seq()).isPositive();
        }
    }

    @Test
    void operations_endpoints_answer() {
        assertThat(ledger.get("/health/live").status()).isEqualTo(200);
        assertThat(ledger.get("/health/ready").status()).isEqualTo(200);
        var metrics = ledger.get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("ledger_commands_dead_lettered");
    }
}
