package dev.ledger.command;

import dev.ledger.domain.SagaSteps;
import dev.ledger.domain.account.AccountDecider;
import dev.ledger.domain.account.AccountEvent;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.transfer.TransferDecider;
import dev.ledger.domain.transfer.TransferEvent;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.kafka.Aggregate;
import dev.ledger.kafka.CommandEngine;
import dev.ledger.kafka.EventCodec;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.EventRecords;
import dev.ledger.kafka.LedgerKeys;
import dev.ledger.kafka.LedgerJson;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * One pass over a task's partition of {@code ledger.events}, record by record in offset order, that
 * rebuilds what the engine decides against: each event is read as the projection and the audit read it
 * (both record formats, upcasting included), checked ({@link LoggedEventCheck}) and folded with
 * {@link Aggregate#then}, the engine's own fold; an event a saga step wrote marks that step applied.
 * A record or event that cannot be read or fails the check never enters the state: it is skipped,
 * named in one WARN line and counted, and the pass goes on.
 */
final class EventLogRestore {
    private static final Logger LOG = LoggerFactory.getLogger(EventLogRestore.class);

    private final LoggedEventCheck check;
    private final CommandEngine.State state;
    private final Counter skipped;
    private long eventsFolded;
    private long eventsSkipped;

    /** @param skipped counts every record or event kept out of the state */
    EventLogRestore(LoggedEventCheck check, CommandEngine.State state, Counter skipped) {
        this.check = check;
        this.state = state;
        this.skipped = skipped;
    }

    void accept(ConsumerRecord<String, byte[]> record) {
        List<EventRecords.Stored> events;
        try {
            events = EventRecords.read(record.key(), record.value(), record.headers());
        } catch (LedgerJson.UnreadableException e) {
            skip(record, "an unreadable record: " + e.getMessage());
            return;
        }
        String keyId = LedgerKeys.idOf(record.headers());
        for (EventRecords.Stored stored : events) {
            EventEnvelope envelope;
            try {
                envelope = EventCodec.read(stored.value());
            } catch (RuntimeException e) {
                skip(record, "an unreadable event: " + e.getMessage());
                continue;
            }
            String problem;
            try {
                problem = fold(envelope, stored, keyId);
            } catch (RuntimeException e) {
                // a linked event its aggregate cannot apply: a bug, kept out of the state rather than stopping it
                problem = envelope.type() + " cannot apply: " + e.getMessage();
            }
            if (problem != null) skip(record, "event " + envelope.eventId() + ": " + problem);
            else eventsFolded++;
        }
    }

    long eventsFolded() {
        return eventsFolded;
    }

    long eventsSkipped() {
        return eventsSkipped;
    }

    /** @return why the event was not folded, or null once it is */
    private String fold(EventEnvelope envelope, EventRecords.Stored stored, String keyId) {
        String id = envelope.aggregateId();
        String problem = switch (envelope.event()) {
            case AccountEvent e -> {
                Aggregate<AccountState> account = state.account(id);
                String p = check.problem(account, account.state().version(), envelope, stored, keyId);
                if (p == null) state.account(id, account.then(envelope, e, AccountDecider::evolve, stored.hash()));
                yield p;
            }
            case TransferEvent e -> {
                Aggregate<TransferState> transfer = state.transfer(id);
                String p = check.problem(transfer, transfer.state().version(), envelope, stored, keyId);
                if (p == null) state.transfer(id, transfer.then(envelope, e, TransferDecider::evolve, stored.hash()));
                yield p;
            }
            default -> "not an event of this ledger: " + envelope.type();
        };
        // a step's command id is its step id; a local follow-up's mark is never asked for, and harmless
        if (problem == null && SagaSteps.writtenByStep(envelope.event())) {
            state.stepApplied(envelope.commandId(), true, envelope.occurredAt().toEpochMilli());
        }
        return problem;
    }

    private void skip(ConsumerRecord<String, byte[]> record, String why) {
        eventsSkipped++;
        skipped.increment();
        LOG.warn("state restore skipped {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), why);
    }
}
