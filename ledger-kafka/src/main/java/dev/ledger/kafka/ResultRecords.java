package dev.ledger.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The records of {@code ledger.results}: the outcomes of one batch of commands,
 * {@code {"schemaVersion": 1, "results": [<command result>, ...]}}. The first format, one result per
 * record, is still read, as a batch of one.
 */
public final class ResultRecords {
    private ResultRecords() {
    }

    public static byte[] write(List<CommandResult> results) {
        if (results.isEmpty()) throw new IllegalArgumentException("a result record holds at least one result");
        ObjectNode node = LedgerJson.MAPPER.createObjectNode().put("schemaVersion", LedgerJson.SCHEMA_VERSION);
        ArrayNode array = node.putArray("results");
        results.forEach(r -> array.add(LedgerJson.MAPPER.valueToTree(r)));
        return LedgerJson.bytes(node);
    }

    /** @throws LedgerJson.UnreadableException when the record is not results this ledger knows */
    public static List<CommandResult> read(byte[] value) {
        JsonNode node = LedgerJson.tree(value == null ? new byte[0] : value);
        JsonNode results = node.get("results");
        if (results == null) return List.of(bind(node)); // the first format: one result
        if (!results.isArray()) throw new LedgerJson.UnreadableException("'results' must be an array", null);
        var read = new ArrayList<CommandResult>(results.size());
        results.forEach(r -> read.add(bind(r)));
        return read;
    }

    private static CommandResult bind(JsonNode node) {
        try {
            CommandResult result = LedgerJson.MAPPER.treeToValue(node, CommandResult.class);
            if (result == null) throw new LedgerJson.UnreadableException("an empty result", null);
            return result;
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException | NullPointerException e) {
            throw new LedgerJson.UnreadableException("not a readable result: " + e.getMessage(), e);
        }
    }
}
