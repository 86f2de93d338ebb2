package dev.ledger.kafka;

import dev.ledger.domain.Outcome;
import dev.ledger.kafka.proto.Wire;

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
                .putAllPosition(new TreeMap<>(o.position())).setReplayed(o.replayed());
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
                o.hasReason() ? CommandProto.reason(o.getReason()) : null, o.getPositionMap(), o.getReplayed()));
    }
}
