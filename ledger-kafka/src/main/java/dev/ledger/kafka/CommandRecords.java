package dev.ledger.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The records of {@code ledger.commands}. A record carries a batch of commands, every one addressed
 * to an aggregate of the record's partition, decided in order, each on its own:
 * {@code {"schemaVersion": 1, "commands": [<command envelope>, ...]}}. The first format, one
 * command envelope per record, is still read (the topic keeps every record forever), as a batch of
 * one. An element that cannot be read is reported on its own and does not spoil its neighbours.
 */
public final class CommandRecords {
    /** Bounds a writer keeps to: the broker's default record limit is 1 MiB. */
    public static final int MAX_COMMANDS_PER_RECORD = 1_000;

    private CommandRecords() {
    }

    /** One element of a record. */
    public sealed interface Item {
        /** The element's own bytes, for a dead letter. */
        byte[] bytes();
    }

    public record Readable(CommandEnvelope envelope, Supplier<byte[]> source) implements Item {
        @Override
        public byte[] bytes() {
            return source.get();
        }
    }

    public record Unreadable(byte[] bytes, String reason) implements Item {
    }

    public static byte[] write(List<CommandEnvelope> commands) {
        if (commands.isEmpty() || commands.size() > MAX_COMMANDS_PER_RECORD) {
            throw new IllegalArgumentException("a command record holds 1 to " + MAX_COMMANDS_PER_RECORD
                    + " commands, not " + commands.size());
        }
        ObjectNode node = LedgerJson.MAPPER.createObjectNode().put("schemaVersion", LedgerJson.SCHEMA_VERSION);
        ArrayNode array = node.putArray("commands");
        commands.forEach(c -> array.add(LedgerJson.commandTree(c)));
        return LedgerJson.bytes(node);
    }

    /** Every element of the record, in order; never throws for what a producer wrote. */
    public static List<Item> read(byte[] value) {
        byte[] bytes = value == null ? new byte[0] : value;
        JsonNode node;
        try {
            node = LedgerJson.tree(bytes);
        } catch (LedgerJson.UnreadableException e) {
            return List.of(new Unreadable(bytes, e.getMessage()));
        }
        JsonNode commands = node.get("commands");
        if (commands == null) return List.of(item(node, () -> bytes)); // the first format: one envelope
        if (!commands.isArray() || commands.isEmpty() || node.has("type")) {
            return List.of(new Unreadable(bytes, "a command batch needs a non-empty 'commands' array and no 'type'"));
        }
        var items = new ArrayList<Item>(commands.size());
        commands.forEach(element -> items.add(item(element, () -> LedgerJson.bytes(element))));
        return items;
    }

    private static Item item(JsonNode element, Supplier<byte[]> source) {
        try {
            return new Readable(LedgerJson.readCommand(element), source);
        } catch (LedgerJson.UnreadableException e) {
            return new Unreadable(source.get(), e.getMessage());
        }
    }
}
