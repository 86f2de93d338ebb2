package dev.ledger.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;

/**
 * The API's JSON. Requests are read as trees and every node type is checked by hand, so nothing is
 * coerced: a "2500" or a 2.0 is an error, never an amount. Duplicate keys are refused because two
 * parsers could each believe a different one.
 */
final class ApiJson {
    static final String CONTENT_TYPE = "application/json";

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private ApiJson() {
    }

    /** The body as a JSON object, or why it is not one. */
    static Validated<JsonNode> readObject(byte[] body) {
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (IOException e) {
            return Validated.invalid("body", "is not well-formed JSON");
        }
        if (node == null || node.isMissingNode()) return Validated.invalid("body", "is empty; a JSON object is required");
        if (!node.isObject()) return Validated.invalid("body", "must be a JSON object");
        return Validated.ok(node);
    }

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
        }
    }
}
