package dev.ledger.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion.VersionFlag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code schemas/openapi.yaml} describes the contract of API.md: every path and method, every status
 * its table and text name, the idempotency, position and retry headers, and problem+json errors.
 * The document may add to the contract, never leave part of it out.
 */
final class OpenApiContractTest {

    private static final JsonNode OPENAPI = read();

    /** API.md, path by path: method and the statuses it names for it. */
    private static final Map<String, Map<String, Set<String>>> API_MD = Map.ofEntries(
            entry("/v1/accounts", Map.of("post", Set.of("201", "400", "409", "422", "429"))),
            entry("/v1/accounts/{accountId}", Map.of("get", Set.of("200", "400", "404", "503"))),
            entry("/v1/accounts/{accountId}/close", Map.of("post", Set.of("200", "400", "404", "409", "422", "429"))),
            entry("/v1/accounts/{accountId}/entries", Map.of("get", Set.of("200", "400", "404", "503"))),
            entry("/v1/accounts/{accountId}/balance", Map.of("get", Set.of("200", "400", "404", "503"))),
            entry("/v1/transfers", Map.of("post", Set.of("201", "202", "400", "409", "422", "429"))),
            entry("/v1/transfers/batch", Map.of("post", Set.of("200", "400", "422", "429"))),
            entry("/v1/transfers/{transferId}", Map.of("get", Set.of("200", "400", "404", "503"))),
            entry("/health/live", Map.of("get", Set.of("200"))),
            entry("/health/ready", Map.of("get", Set.of("200", "503"))),
            entry("/metrics", Map.of("get", Set.of("200"))),
            entry("/v1/api-keys", Map.of("post", Set.of("201", "400", "401", "403"), "get", Set.of("200", "401", "403"))),
            entry("/v1/api-keys/{keyId}", Map.of("delete", Set.of("204", "401", "403", "404"))));
    /** The routes that manage keys: not writes or reads of the ledger, so no idempotency or positions. */
    private static final String KEY_MANAGEMENT = "/v1/api-keys";
    private static final Set<String> ROLES = Set.of("admin", "payments", "read");

    @Test
    void it_is_an_openapi_3_1_document() {
        assertThat(OPENAPI.path("openapi").asText()).startsWith("3.1.");
        assertThat(OPENAPI.path("info").has("title")).isTrue();
    }

    @Test
    void every_path_method_and_status_of_the_contract_is_documented() {
        API_MD.forEach((path, methods) -> methods.forEach((method, statuses) -> {
            JsonNode operation = OPENAPI.path("paths").path(path).path(method);
            assertThat(operation.isObject()).as("%s %s", method.toUpperCase(), path).isTrue();
            assertThat(operation.path("responses").properties()).extracting(Map.Entry::getKey)
                    .as("statuses of %s %s", method.toUpperCase(), path)
                    .containsAll(statuses);
        }));
    }

    @Test
    void every_post_requires_an_idempotency_key() {
        operations((path, method, operation) -> {
            if (!method.equals("post") || path.startsWith(KEY_MANAGEMENT)) return;
            JsonNode key = parameter(operation, "Idempotency-Key");
            assertThat(key).as("Idempotency-Key of POST %s", path).isNotNull();
            assertThat(key.path("in").asText()).isEqualTo("header");
            assertThat(key.path("required").asBoolean()).isTrue();
        });
    }

    @Test
    void every_read_of_the_ledger_accepts_a_minimum_position() {
        operations((path, method, operation) -> {
            if (!method.equals("get") || !path.startsWith("/v1/") || path.startsWith(KEY_MANAGEMENT)) return;
            assertThat(parameter(operation, "Ledger-Min-Position")).as("Ledger-Min-Position of GET %s", path).isNotNull();
        });
    }

    @Test
    void every_successful_write_answers_its_position_and_whether_it_was_replayed() {
        operations((path, method, operation) -> {
            if (!method.equals("post") || path.startsWith(KEY_MANAGEMENT)) return;
            operation.path("responses").properties().forEach(response -> {
                if (!response.getKey().startsWith("2")) return;
                JsonNode headers = resolve(response.getValue()).path("headers");
                assertThat(headers.has("Ledger-Position")).as("Ledger-Position on %s of POST %s", response.getKey(), path).isTrue();
                assertThat(headers.has("Idempotent-Replayed")).as("Idempotent-Replayed on %s of POST %s", response.getKey(), path).isTrue();
            });
        });
    }

    @Test
    void an_accepted_transfer_says_where_to_poll_and_every_wait_to_retry_says_when() {
        assertThat(OPENAPI.at("/paths/~1v1~1transfers/post/responses/202/headers").has("Location")).isTrue();
        assertThat(parameter(OPENAPI.at("/paths/~1v1~1transfers/post"), "Prefer")).isNotNull();
        operations((path, method, operation) -> operation.path("responses").properties().forEach(response -> {
            if (!path.startsWith("/v1/") || !Set.of("429", "503").contains(response.getKey())) return;
            assertThat(resolve(response.getValue()).path("headers").has("Retry-After"))
                    .as("Retry-After on %s of %s %s", response.getKey(), method, path).isTrue();
        }));
    }

    @Test
    void every_error_of_the_api_is_problem_json_with_its_extension_members() {
        operations((path, method, operation) -> operation.path("responses").properties().forEach(response -> {
            if (!path.startsWith("/v1/") || response.getKey().startsWith("2")) return;
            JsonNode schema = resolve(response.getValue()).at("/content/application~1problem+json/schema");
            assertThat(schema.path("$ref").asText())
                    .as("problem+json on %s of %s %s", response.getKey(), method, path)
                    .isEqualTo("#/components/schemas/Problem");
        }));
        assertThat(OPENAPI.at("/components/schemas/Problem/properties").properties()).extracting(Map.Entry::getKey)
                .contains("type", "title", "status", "detail", "errors", "transferId", "transferStatus", "reason", "stuck");
    }

    @Test
    void every_operation_but_liveness_needs_a_bearer_key_with_a_declared_role_and_documents_401_and_403() {
        assertThat(OPENAPI.at("/components/securitySchemes/apiKey/scheme").asText()).isEqualTo("bearer");
        assertThat(OPENAPI.at("/security/0").has("apiKey")).isTrue();
        operations((path, method, operation) -> {
            String role = operation.path("x-required-role").asText();
            if (path.equals("/health/live")) {
                assertThat(operation.path("security").isArray() && operation.path("security").isEmpty())
                        .as("GET /health/live is open").isTrue();
                assertThat(role).isEqualTo("none");
                return;
            }
            assertThat(role).as("x-required-role of %s %s", method.toUpperCase(), path).isIn(ROLES);
            assertThat(operation.path("description").asText()).as("the role in the description of %s %s", method, path)
                    .contains("`" + role + "`");
            assertThat(operation.path("responses").has("401")).as("401 of %s %s", method, path).isTrue();
            assertThat(operation.path("responses").has("403")).as("403 of %s %s", method, path).isTrue();
        });
        assertThat(OPENAPI.at("/components/responses/Unauthorized/headers").has("WWW-Authenticate")).isTrue();
    }

    @Test
    void every_local_reference_resolves() {
        List<String> refs = new ArrayList<>();
        collectRefs(OPENAPI, refs);
        assertThat(refs).isNotEmpty()
                .allSatisfy(ref -> assertThat(OPENAPI.at(ref.substring(1)).isMissingNode()).as(ref).isFalse());
    }

    @Test
    void the_examples_of_the_contract_fit_the_schemas_and_its_limits_do_not() throws IOException {
        var json = LedgerJson.MAPPER;
        assertThat(schema("OpenAccountRequest").validate(json.readTree("""
                {"accountId": "alice", "currency": "EUR", "overdraftLimit": 0, "unlimitedOverdraft": false,
                 "metadata": {"customer": "c-17"}}"""))).isEmpty();
        assertThat(schema("Account").validate(json.readTree("""
                {"accountId": "alice", "currency": "EUR", "status": "OPEN", "overdraftLimit": 0, "unlimitedOverdraft": false,
                 "debitsPosted": 0, "creditsPosted": 10000, "debitsPending": 0, "creditsPending": 0,
                 "balance": 10000, "available": null, "metadata": {"customer": "c-17"}}"""))).isEmpty();
        JsonSchema transfer = schema("TransferRequest");
        assertThat(transfer.validate(json.readTree("""
                {"transferId": "t-0001", "debitAccountId": "alice", "creditAccountId": "bob",
                 "amount": 2500, "currency": "EUR", "reference": "invoice 42", "metadata": {}}"""))).isEmpty();
        for (String amount : List.of("0", "9007199254740992", "25.5", "\"2500\"")) {
            assertThat(transfer.validate(json.readTree("""
                    {"debitAccountId": "alice", "creditAccountId": "bob", "amount": %s, "currency": "EUR"}"""
                    .formatted(amount)))).as("amount %s", amount).isNotEmpty();
        }
    }

    @Test
    void the_request_schemas_refuse_unknown_fields_and_text_that_is_not_acceptable() throws IOException {
        var json = LedgerJson.MAPPER;
        JsonSchema transfer = schema("TransferRequest");
        String valid = """
                {"debitAccountId": "alice", "creditAccountId": "bob", "amount": 1, "currency": "EUR", %s}""";
        String emoji = "\\ud83d\\ude00";
        assertThat(transfer.validate(json.readTree(valid.formatted("\"reference\": \"" + emoji.repeat(512) + "\""))))
                .as("512 code points, 1024 UTF-16 units").isEmpty();
        assertThat(transfer.validate(json.readTree(valid.formatted(
                "\"reference\": \"\\u05e9\\u200f e\\u0301\", \"metadata\": {\"k\": \"\\ud83d\\udc68\\u200d\\ud83d\\udc69\"}"))))
                .isEmpty();
        for (String refused : List.of("\"pending\": true", "\"reference\": \"bad\\u0000ref\"",
                "\"reference\": \"" + "a".repeat(513) + "\"", "\"reference\": \"\\u009b\"",
                "\"metadata\": {\"k\": \"\\uffff\"}", "\"metadata\": {\"\": \"v\"}",
                "\"metadata\": {\"" + "k".repeat(129) + "\": \"v\"}", "\"metadata\": {\"k\": \"" + "v".repeat(1025) + "\"}")) {
            assertThat(transfer.validate(json.readTree(valid.formatted(refused)))).as(refused).isNotEmpty();
        }
        assertThat(schema("OpenAccountRequest").validate(json.readTree("{\"currency\": \"EUR\", \"overdraft\": 1}")))
                .isNotEmpty();
        assertThat(schema("TransferBatch").validate(json.readTree("""
                {"transfers": [{"transferId": "t", "debitAccountId": "a", "creditAccountId": "b", "amount": 1,
                 "currency": "EUR", "pending": true}]}"""))).isNotEmpty();
    }

    private interface OperationVisitor {
        void visit(String path, String method, JsonNode operation);
    }

    private static void operations(OperationVisitor visitor) {
        OPENAPI.path("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
            if (Set.of("get", "put", "post", "delete", "patch").contains(operation.getKey())) {
                visitor.visit(path.getKey(), operation.getKey(), operation.getValue());
            }
        }));
    }

    private static JsonNode parameter(JsonNode operation, String name) {
        for (JsonNode parameter : operation.path("parameters")) {
            JsonNode resolved = resolve(parameter);
            if (resolved.path("name").asText().equals(name)) return resolved;
        }
        return null;
    }

    private static JsonNode resolve(JsonNode node) {
        return node.has("$ref") ? OPENAPI.at(node.get("$ref").asText().substring(1)) : node;
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.has("$ref")) refs.add(node.get("$ref").asText());
        node.forEach(child -> collectRefs(child, refs));
    }

    private static JsonSchema schema(String component) {
        String location = JsonSchemas.file("openapi.yaml").toUri() + "#/components/schemas/" + component;
        JsonSchema schema = JsonSchemaFactory.getInstance(VersionFlag.V202012).getSchema(SchemaLocation.of(location));
        schema.initializeValidators();
        return schema;
    }

    private static JsonNode read() {
        try {
            return new YAMLMapper().readTree(JsonSchemas.file("openapi.yaml").toFile());
        } catch (IOException e) {
            throw new IllegalStateException("schemas/openapi.yaml is not readable YAML", e);
        }
    }
}
