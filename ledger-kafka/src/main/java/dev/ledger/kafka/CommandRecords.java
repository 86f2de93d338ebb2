package dev.ledger.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ledger.kafka.proto.Wire;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The records of {@code ledger.commands}. A record carries a batch of commands, every one addressed
 * to an aggregate of the record's partition, decided in order, each on its own. Written as the
 * binary format: {@code 0xC1, version 1, CommandBatch} ({@code schemas/proto/ledger_records.proto}),
 * whose elements are each one encoded envelope ({@link CommandProto}). Every format written before
 * is still read (the topic keeps every record forever), told apart by the first byte: a JSON batch
 * {@code {"schemaVersion": 1, "commands": [<command envelope>, ...]}}, and the first format, one JSON
 * command envelope per record, as a batch of one. An element that cannot be read is reported on its
 * own and does not spoil its neighbours.
 */
public final class CommandRecords {
    /** Bounds a writer keeps to: the broker's default record limit is 1 MiB. */
    public static final int MAX_COMMANDS_PER_RECORD = 1_000;
    private static final BinaryHeader BINARY = new BinaryHeader((byte) 0xC1, (byte) 1, "command");

    private CommandRecords() {
    }

    /** One element of a record. */
    public sealed interface Item {
        /**
         * The element's own bytes, for a dead letter: a record of the element's own format that holds
         * it alone (a binary batch of one, or its JSON envelope), so that it reads again as a command record.
         */
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
        var batch = Wire.CommandBatch.newBuilder();
        commands.forEach(c -> batch.addCommands(ByteString.copyFrom(CommandProto.write(c))));
        return BINARY.prepend(batch.build().toByteArray());
    }

    /** Whether the value is of the binary format (else it is JSON, or nothing this ledger wrote). */
    public static boolean isBinary(byte[] value) {
        return value != null && BINARY.starts(value);
    }

    /** Every element of the record, in order; never throws for what a producer wrote. */
    public static List<Item> read(byte[] value) {
        byte[] bytes = value == null ? new byte[0] : value;
        return isBinary(bytes) ? readBinary(bytes) : readJson(bytes);
    }

    /**
     * The binary element's envelope as the wire holds it, before any rule of the ledger is applied, or
     * null when the value is no binary record of one element that parses: what a dead letter shows of a
     * command the ledger refused.
     */
    static Wire.CommandEnvelope wireEnvelopeOrNull(byte[] value) {
        try {
            var elements = Wire.CommandBatch.parseFrom(BINARY.payload(value)).getCommandsList();
            return elements.size() == 1 ? Wire.CommandEnvelope.parseFrom(elements.getFirst()) : null;
        } catch (InvalidProtocolBufferException | LedgerJson.UnreadableException e) {
            return null;
        }
    }

    private static List<Item> readBinary(byte[] bytes) {
        List<ByteString> elements;
        try {
            elements = Wire.CommandBatch.parseFrom(BINARY.payload(bytes)).getCommandsList();
        } catch (InvalidProtocolBufferException e) {
            return List.of(new Unreadable(bytes, ProtoFields.malformed("command batch", e).getMessage()));
        } catch (LedgerJson.UnreadableException e) {
            return List.of(new Unreadable(bytes, e.getMessage()));
        }
        if (elements.isEmpty()) return List.of(new Unreadable(bytes, "a command batch without commands"));
        if (elements.size() == 1) return List.of(item(() -> CommandProto.read(elements.getFirst().toByteArray()), () -> bytes));
        var items = new ArrayList<Item>(elements.size());
        for (ByteString element : elements) {
            byte[] own = element.toByteArray();
            items.add(item(() -> CommandProto.read(own), () -> BINARY.prepend(
                    Wire.CommandBatch.newBuilder().addCommands(element).build().toByteArray())));
        }
        return items;
    }

    private static List<Item> readJson(byte[] bytes) {
        JsonNode node;
        try {
            node = LedgerJson.tree(bytes);
        } catch (LedgerJson.UnreadableException e) {
            return List.of(new Unreadable(bytes, e.getMessage()));
        }
        JsonNode commands = node.get("commands");
        if (commands == null) return List.of(item(() -> LedgerJson.readCommand(node), () -> bytes)); // the first format
        if (!commands.isArray() || commands.isEmpty() || node.has("type")) {
            return List.of(new Unreadable(bytes, "a command batch needs a non-empty 'commands' array and no 'type'"));
        }
        var items = new ArrayList<Item>(commands.size());
        commands.forEach(element -> items.add(item(() -> LedgerJson.readCommand(element), () -> LedgerJson.bytes(element))));
        return items;
    }

    private static Item item(Supplier<CommandEnvelope> reader, Supplier<byte[]> source) {
        try {
            return new Readable(reader.get(), source);
        } catch (LedgerJson.UnreadableException e) {
            return new Unreadable(source.get(), e.getMessage());
        }
    }
}
