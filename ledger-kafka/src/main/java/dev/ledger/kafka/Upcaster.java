package dev.ledger.kafka;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Brings an old version of an event or command up to today's shape before it is bound to its
 * record. Schemas only ever add optional fields, so version 1 needs nothing yet; a change that
 * adds a required field adds its default here, keyed by type and version. Runs after the hash
 * chain is verified over the stored bytes.
 */
final class Upcaster {
    private Upcaster() {
    }

    static JsonNode upcastEvent(String type, int schemaVersion, JsonNode data) {
        requireKnownVersion(type, schemaVersion);
        return data;
    }

    static JsonNode upcastCommand(String type, int schemaVersion, JsonNode data) {
        requireKnownVersion(type, schemaVersion);
        return data;
    }

    /** Also the binary event reader's check: its envelopes name their version too. */
    static void requireKnownVersion(String type, int schemaVersion) {
        if (schemaVersion < 1) {
            throw new LedgerJson.UnreadableException(type + " has schemaVersion " + schemaVersion + ": versions start at 1", null);
        }
        if (schemaVersion > LedgerJson.SCHEMA_VERSION) {
            throw new LedgerJson.UnreadableException(
                    type + " has schemaVersion " + schemaVersion + ", newer than this ledger reads", null);
        }
    }
}
