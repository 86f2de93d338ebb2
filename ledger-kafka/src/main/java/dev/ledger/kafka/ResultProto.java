package dev.ledger.kafka;

import dev.ledger.domain.Outcome;
import dev.ledger.kafka.proto.Wire;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

import static dev.ledger.kafka.ProtoFields.requirePresent;
import static dev.ledger.kafka.ProtoFields.sameName;

/** The Protocol Buffers form of a command's answer ({@code schemas/proto/ledger_records.proto}). */
final class ResultProto {
    /**
     * Each domain status's wire value by ordinal, matched by name once: {@code Wire.Status.valueOf(name)}
     * looked each name up in a hash map for every result (1% of the command thread in the batch scenario).
     */
    private static final Wire.Status[] WIRE_STATUS = Arrays.stream(Outcome.Status.values())
            .map(status -> Wire.Status.valueOf(status.name())).toArray(Wire.Status[]::new);
    private static final Comparator<Map.Entry<String, Long>> BY_KEY = Map.Entry.comparingByKey();

    private ResultProto() {
    }

    static Wire.CommandResult write(CommandResult r) {
        Outcome o = r.outcome();
        var outcome = Wire.Outcome.newBuilder().setStatus(WIRE_STATUS[o.status().ordinal()])
                .setReplayed(o.replayed());
        // sorted, so that the same outcome is always the same bytes; a position names a few keys,
        // so a sorted copy of its entries is cheaper than a TreeMap
        var entries = new ArrayList<>(o.position().entrySet());
        entries.sort(BY_KEY);
        for (Map.Entry<String, Long> entry : entries) {
            outcome.addPosition(Wire.PositionEntry.newBuilder().setKey(entry.getKey()).setValue(entry.getValue()));
        }
        if (o.reason() != null) outcome.setReason(CommandProto.reason(o.reason()));
        return Wire.CommandResult.newBuilder().setAggregateId(r.aggregateId()).setCommandId(r.commandId())
                .setOutcome(outcome).build();
    }

    /** @throws LedgerJson.UnreadableException when a field is missing or names a value this ledger does not know */
    static CommandResult read(Wire.CommandResult r) {
        requirePresent(r, CommandResult.class);
        Wire.Outcome o = r.getOutcome();
        requirePresent(o, Outcome.class);
        return new CommandResult(r.getAggregateId(), r.getCommandId(), new Outcome(
                sameName(Outcome.Status.class, o.getStatus(), "status"),
                o.hasReason() ? CommandProto.reason(o.getReason()) : null, position(o), o.getReplayed()));
    }

    /** The last entry of a key counts, as when the field was read as a map. */
    private static Map<String, Long> position(Wire.Outcome o) {
        var position = new HashMap<String, Long>(o.getPositionCount() * 2);
        for (Wire.PositionEntry entry : o.getPositionList()) position.put(entry.getKey(), entry.getValue());
        return position;
    }
}
