package dev.ledger.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ledger.kafka.proto.Wire;

import java.util.ArrayList;
import java.util.List;

/**
 * The records of {@code ledger.results}: the outcomes of one batch of commands. Written as the binary
 * format: {@code 0xC0, version 1, ResultBatch} ({@code schemas/proto/ledger_records.proto}). The formats
 * written before are still read, told apart by the first byte: the JSON batch
 * {@code {"schemaVersion": 1, "results": [<command result>, ...]}}, and the first format, one JSON
 * result per record, as a batch of one.
 */
public final class ResultRecords {
    private static final BinaryHeader BINARY = new BinaryHeader((byte) 0xC0, (byte) 1, "result");

    private ResultRecords() {
    }

    public static byte[] write(List<CommandResult> results) {
        if (results.isEmpty()) throw new IllegalArgumentException("a result record holds at least one result");
        var batch = Wire.ResultBatch.newBuilder();
        results.forEach(r -> batch.addResults(ResultProto.write(r)));
        return BINARY.prepend(batch.build().toByteArray());
    }

    /**
     * Every result of the record; a result is a courtesy to a waiting caller, so one that cannot be read
     * makes the whole record unreadable (its callers time out) rather than being half-read.
     *
     * @throws LedgerJson.UnreadableException when the record is not results this ledger knows
     */
    public static List<CommandResult> read(byte[] value) {
        byte[] bytes = value == null ? new byte[0] : value;
        return BINARY.starts(bytes) ? readBinary(bytes) : readJson(bytes);
    }

    private static List<CommandResult> readBinary(byte[] bytes) {
        List<Wire.CommandResult> results;
        try {
            results = Wire.ResultBatch.parseFrom(BINARY.payload(bytes)).getResultsList();
        } catch (InvalidProtocolBufferException e) {
            throw ProtoFields.malformed("result batch", e);
        }
        if (results.isEmpty()) throw ProtoFields.unreadable("a result batch without results");
        return results.stream().map(ResultProto::read).toList();
    }

    private static List<CommandResult> readJson(byte[] bytes) {
        JsonNode node = LedgerJson.tree(bytes);
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
