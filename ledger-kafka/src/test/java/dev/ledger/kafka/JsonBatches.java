package dev.ledger.kafka;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * The JSON batch records of {@code ledger.commands} and {@code ledger.results}, exactly as the ledger
 * wrote them before the binary format: the log keeps them forever, so every reader must still read them.
 */
final class JsonBatches {
    private JsonBatches() {
    }

    static byte[] commands(List<CommandEnvelope> commands) {
        ObjectNode node = LedgerJson.MAPPER.createObjectNode().put("schemaVersion", 1);
        ArrayNode array = node.putArray("commands");
        commands.forEach(c -> array.add(LedgerJson.commandTree(c)));
        return LedgerJson.bytes(node);
    }

    static byte[] results(List<CommandResult> results) {
        ObjectNode node = LedgerJson.MAPPER.createObjectNode().put("schemaVersion", 1);
        ArrayNode array = node.putArray("results");
        results.forEach(r -> array.add(LedgerJson.MAPPER.valueToTree(r)));
        return LedgerJson.bytes(node);
    }
}
