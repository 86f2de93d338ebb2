package dev.ledger.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * API keys on the real stack: every rule of the Authentication section of the contract, with nothing
 * recorded when a request is refused (no command reaches ledger.commands).
 */
class AuthenticationEndToEndTest {
    /** A revocation through another path than this instance's own endpoint holds once the instance reloads its keys. */
    private static final long REVOCATION_BOUND_MS = 10_000;
    private static LedgerHarness ledger;

    @BeforeAll
    static void start() {
        ledger = LedgerHarness.start("auth");
    }

    @AfterAll
    static void stop() {
        ledger.close();
    }

    private static String key() {
        return UUID.randomUUID().toString();
    }

    private static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void given_no_key_or_a_wrong_key_when_an_account_is_opened_then_401_with_a_challenge_and_nothing_is_recorded() {
        String id = unique("nokey-");
        String body = "{\"accountId\":\"" + id + "\",\"currency\":\"EUR\"}";

        var none = ledger.client().withApiKey(null).post("/v1/accounts", key(), body);
        var wrong = ledger.client().withApiKey("lk_" + "x".repeat(43)).post("/v1/accounts", key(), body);

        assertThat(none.status()).as(none.toString()).isEqualTo(401);
        assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(none.header("Content-Type")).startsWith("application/problem+json");
        assertThat(wrong.status()).as(wrong.toString()).isEqualTo(401);
        assertThat(wrong.header("WWW-Authenticate")).contains("invalid_token");
        assertThat(commandsNaming(id)).isZero();
        assertThat(ledger.client().withApiKey(null).get("/health/live").status()).isEqualTo(200);
        assertThat(ledger.client().withApiKey(null).get("/health/ready").status()).isEqualTo(401);
    }

    @Test
    void given_a_key_revoked_through_the_endpoint_when_it_is_used_again_then_401() {
        JsonNode key = ledger.client().createKey("payments", null);
        LedgerClient payments = ledger.client().withApiKey(key.path("apiKey").asText());
        assertThat(payments.get("/v1/accounts/" + unique("any-")).status()).isEqualTo(404);
        String keyId = key.path("keyId").asText();

        var revoked = ledger.client().delete("/v1/api-keys/" + keyId);

        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(204);
        assertThat(payments.get("/v1/accounts/" + unique("any-")).status()).isEqualTo(401);
        assertThat(ledger.client().delete("/v1/api-keys/key-0000000000000000").status()).isEqualTo(404);
    }

    @Test
    void given_a_key_revoked_with_the_keys_command_when_it_is_used_then_it_is_refused_within_seconds() {
        // given: a key created by `ledger keys create`, straight in PostgreSQL as another instance would see it
        String printed = keys("create", "--role", "read", "--name", "dashboard");
        Matcher created = Pattern.compile("Created (key-[0-9a-f]+) .*\\n(lk_\\S+)").matcher(printed);
        assertThat(created.find()).as(printed).isTrue();
        LedgerClient dashboard = ledger.client().withApiKey(created.group(2));
        assertThat(eventuallyStatus(dashboard, "/v1/accounts/" + unique("any-"), 404)).isEqualTo(404);
        assertThat(keys("list")).contains(created.group(1)).contains("dashboard").doesNotContain(created.group(2));

        // when
        assertThat(keys("revoke", created.group(1))).contains("Revoked " + created.group(1));

        // then: this instance learns it from PostgreSQL, as every other instance does
        assertThat(eventuallyStatus(dashboard, "/v1/accounts/" + unique("any-"), 401)).isEqualTo(401);
        assertThat(keys("list")).containsPattern(created.group(1) + ".*revoked");
    }

    @Test
    void given_keys_without_the_role_when_they_try_then_403_and_nothing_is_recorded() {
        LedgerClient read = ledger.client().withNewKey("read", null);
        LedgerClient payments = ledger.client().withNewKey("payments", null);
        String bank = unique("bank-");
        String alice = unique("alice-");

        var readTransfer = read.post("/v1/transfers", key(), transfer(unique("t-"), bank, alice));
        var paymentsSettlement = payments.post("/v1/accounts", key(),
                "{\"accountId\":\"" + bank + "\",\"currency\":\"EUR\",\"unlimitedOverdraft\":true}");
        var paymentsOverdraft = payments.post("/v1/accounts", key(),
                "{\"accountId\":\"" + alice + "\",\"currency\":\"EUR\",\"overdraftLimit\":1000}");
        var paymentsKey = payments.post("/v1/api-keys", null, "{\"name\":\"escalate\",\"role\":\"admin\"}");
        var paymentsList = payments.get("/v1/api-keys");

        for (var refused : List.of(readTransfer, paymentsSettlement, paymentsOverdraft, paymentsKey, paymentsList)) {
            assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
            assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        }
        assertThat(commandsNaming(bank)).isZero();
        assertThat(commandsNaming(alice)).isZero();

        // what the roles do allow: payments opens an ordinary account and moves money; close needs admin
        assertThat(ledger.post("/v1/accounts", key(), "{\"accountId\":\"" + bank
                + "\",\"currency\":\"EUR\",\"unlimitedOverdraft\":true}").status()).isEqualTo(201);
        assertThat(payments.post("/v1/accounts", key(), "{\"accountId\":\"" + alice + "\",\"currency\":\"EUR\"}").status())
                .isEqualTo(201);
        var moved = payments.post("/v1/transfers", key(), transfer(unique("t-"), bank, alice));
        assertThat(moved.status()).as(moved.toString()).isEqualTo(201);
        assertThat(read.get("/v1/accounts/" + alice, "Ledger-Min-Position", moved.header("Ledger-Position"))
                .json().path("balance").asLong()).isEqualTo(100);
        var close = payments.post("/v1/accounts/" + alice + "/close", key(), "{}");
        assertThat(close.status()).as(close.toString()).isEqualTo(403);
    }

    @Test
    void given_a_tenant_key_when_it_reaches_another_tenants_account_then_403_and_its_own_work() {
        LedgerClient acme = ledger.client().withNewKey("payments", "acme-");
        String bank = unique("bank-");
        String globex = unique("globex-");
        String mine = unique("acme-");
        assertThat(ledger.post("/v1/accounts", key(), "{\"accountId\":\"" + bank
                + "\",\"currency\":\"EUR\",\"unlimitedOverdraft\":true}").status()).isEqualTo(201);
        assertThat(ledger.post("/v1/accounts", key(), "{\"accountId\":\"" + globex + "\",\"currency\":\"EUR\"}").status())
                .isEqualTo(201);

        var opened = acme.post("/v1/accounts", key(), "{\"accountId\":\"" + mine + "\",\"currency\":\"EUR\"}");
        var derived = acme.post("/v1/accounts", key(), "{\"currency\":\"EUR\"}");
        var readOther = acme.get("/v1/accounts/" + globex);
        var statementOther = acme.get("/v1/accounts/" + globex + "/entries");
        String stolen = unique("acme-t-");
        var takeFromOther = acme.post("/v1/transfers", key(), transfer(stolen, globex, mine));
        var depositFromBank = acme.post("/v1/transfers", key(), transfer(unique("acme-t-"), bank, mine));

        assertThat(opened.status()).as(opened.toString()).isEqualTo(201);
        assertThat(derived.status()).as(derived.toString()).isEqualTo(201);
        assertThat(derived.json().path("accountId").asText()).startsWith("acme-");
        assertThat(readOther.status()).isEqualTo(403);
        assertThat(statementOther.status()).isEqualTo(403);
        assertThat(takeFromOther.status()).as(takeFromOther.toString()).isEqualTo(403);
        assertThat(depositFromBank.status()).as(depositFromBank.toString()).isEqualTo(403);
        assertThat(commandsNaming(stolen)).isZero();
        assertThat(acme.get("/v1/accounts/" + mine, "Ledger-Min-Position", opened.header("Ledger-Position")).status())
                .isEqualTo(200);
    }

    @Test
    void given_two_principals_sending_the_same_idempotency_key_when_they_open_accounts_then_each_gets_its_own() {
        LedgerClient checkout = ledger.client().withNewKey("payments", null);
        LedgerClient billing = ledger.client().withNewKey("payments", null);
        String shared = key();

        var first = checkout.post("/v1/accounts", shared, "{\"currency\":\"EUR\"}");
        var second = billing.post("/v1/accounts", shared, "{\"currency\":\"EUR\"}");
        var retry = checkout.post("/v1/accounts", shared, "{\"currency\":\"EUR\"}");

        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        assertThat(second.status()).as(second.toString()).isEqualTo(201);
        assertThat(second.header("Idempotent-Replayed")).isNull();
        assertThat(second.json().path("accountId").asText()).isNotEqualTo(first.json().path("accountId").asText());
        assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(retry.json().path("accountId").asText()).isEqualTo(first.json().path("accountId").asText());
    }

    @Test
    void given_LEDGER_ADMIN_API_KEY_when_the_ledger_first_started_then_it_is_the_admin_key_and_nothing_was_generated() {
        assertThat(ledger.app().generatedAdminKey()).isEmpty();

        var keys = ledger.client().get("/v1/api-keys");

        assertThat(keys.status()).as(keys.toString()).isEqualTo(200);
        JsonNode bootstrap = keys.json().path("keys").get(0);
        assertThat(bootstrap.path("role").asText()).isEqualTo("admin");
        assertThat(bootstrap.path("name").asText()).isEqualTo("bootstrap admin");
        assertThat(keys.body()).doesNotContain(ledger.adminApiKey()).doesNotContain("apiKey");
        // the secret appears in a creation's answer and nowhere else
        var created = ledger.client().post("/v1/api-keys", null, "{\"name\":\"ops\",\"role\":\"read\",\"tenant\":\"ops-\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().path("tenant").asText()).isEqualTo("ops-");
        assertThat(created.json().path("apiKey").asText()).startsWith("lk_");
        assertThat(ledger.client().get("/v1/api-keys").body()).doesNotContain(created.json().path("apiKey").asText());
        var invalid = ledger.client().post("/v1/api-keys", null, "{\"name\":\"\",\"role\":\"root\",\"tenant\":\"-x\",\"scope\":1}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.json().path("errors").findValuesAsText("field")).containsExactly("name", "role", "tenant", "scope");
    }

    @Test
    void given_no_LEDGER_ADMIN_API_KEY_when_a_ledger_first_starts_then_it_generates_an_admin_key_once() {
        try (var generated = LedgerHarness.startWithGeneratedAdminKey("auth-generated")) {
            // the harness's client uses the key the first start returned
            assertThat(generated.client().get("/v1/api-keys").status()).isEqualTo(200);

            generated.restart();

            assertThat(generated.app().generatedAdminKey()).isEmpty();
            assertThat(generated.client().get("/v1/api-keys").json().path("keys").size()).isEqualTo(1);
        }
    }

    private static String transfer(String id, String debit, String credit) {
        return "{\"transferId\":\"" + id + "\",\"debitAccountId\":\"" + debit + "\",\"creditAccountId\":\"" + credit
                + "\",\"amount\":100,\"currency\":\"EUR\"}";
    }

    /** Records on ledger.commands that mention {@code id}: a refused request must have sent none. */
    private static long commandsNaming(String id) {
        var naming = new ArrayList<String>();
        ledger.client().readCommitted(ledger.config().topics().commands(), r -> {
            String value = new String(r.value(), StandardCharsets.UTF_8);
            if (value.contains(id)) naming.add(value);
        });
        return naming.size();
    }

    /** Polls until {@code path} answers {@code status}, up to REVOCATION_BOUND_MS; returns the last status. */
    private static int eventuallyStatus(LedgerClient client, String path, int status) {
        long deadline = System.nanoTime() + REVOCATION_BOUND_MS * 1_000_000;
        int last;
        do {
            last = client.get(path).status();
            if (last == status) return last;
            LedgerChecks.sleep(100);
        } while (System.nanoTime() < deadline);
        return last;
    }

    private static String keys(String... args) {
        var out = new StringWriter();
        var commandLine = new CommandLine(new KeysCommand(ledger.config()));
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(out));
        int exit = commandLine.execute(args);
        assertThat(exit).as(out.toString()).isZero();
        return out.toString();
    }
}
