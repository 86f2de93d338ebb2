package dev.ledger.kafka;

import dev.ledger.domain.Outcome;
import dev.ledger.kafka.proto.Wire;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import static dev.ledger.kafka.ProtoFields.requirePresent;
import static dev.ledger.kafka.ProtoFields.sameName;

/** The Protocol Buffers form of a command's answer ({@code schemas/proto/ledger_records.proto}). */
final class ResultProto {
    private ResultProto() {
    }

    static Wire.CommandResult write(CommandResult r) {
        Outcome o = r.outcome();
        var outcome = Wire.Outcome.newBuilder().setStatus(Wire.Status.valueOf(o.status().name()))
                .setReplayed(o.replayed());
        // sorted, so that the same outcome is always the same bytes
        new TreeMap<>(o.position()).forEach((key, seq) ->
                outcome.addPosition(Wire.PositionEntry.newBuilder().setKey(key).setValue(seq)));
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
