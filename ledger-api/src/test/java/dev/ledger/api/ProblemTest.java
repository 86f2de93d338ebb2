package dev.ledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.Reason;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProblemTest {

    private static JsonNode render(Problem problem) throws Exception {
        return ApiJson.MAPPER.readTree(ApiJson.write(problem));
    }

    @Test
    void given_validation_errors_when_rendered_then_it_is_an_rfc_9457_document_naming_each_field() throws Exception {
        JsonNode json = render(Problem.invalidRequest(List.of(
                new FieldError("amount", "is required"), new FieldError("currency", "must be a string"))));

        assertThat(json.get("type").textValue()).isEqualTo("https://ledger.dev/problems/invalid-request");
        assertThat(json.get("title").textValue()).isNotBlank();
        assertThat(json.get("status").isInt()).isTrue();
        assertThat(json.get("status").intValue()).isEqualTo(400);
        assertThat(json.get("detail").textValue()).isNotBlank();
        assertThat(json.get("errors")).hasSize(2);
        assertThat(json.get("errors").get(0).get("field").textValue()).isEqualTo("amount");
        assertThat(json.get("errors").get(0).get("reason").textValue()).isEqualTo("is required");
        assertThat(json.has("transferId")).isFalse();
        assertThat(json.has("reason")).isFalse();
    }

    @Test
    void given_a_rejected_transfer_when_rendered_then_it_carries_the_transfer_and_the_reason() throws Exception {
        JsonNode json = render(Problem.transferRejected("t-1", Reason.INSUFFICIENT_FUNDS));

        assertThat(json.get("status").intValue()).isEqualTo(422);
        assertThat(json.get("transferId").textValue()).isEqualTo("t-1");
        assertThat(json.get("transferStatus").textValue()).isEqualTo("REJECTED");
        assertThat(json.get("reason").textValue()).isEqualTo("INSUFFICIENT_FUNDS");
        assertThat(json.has("errors")).isFalse();
    }

    @Test
    void given_any_problem_when_rendered_then_its_type_is_an_absolute_uri() throws Exception {
        for (Problem problem : List.of(Problem.notFound("x"), Problem.tooManyRequests(), Problem.readModelBehind(),
                Problem.idempotencyKeyReused(), Problem.identityConflict("a"), Problem.internalError())) {
            JsonNode json = render(problem);
            assertThat(URI.create(json.get("type").textValue()).isAbsolute()).isTrue();
            assertThat(json.get("status").intValue()).isEqualTo(problem.status());
        }
    }
}
