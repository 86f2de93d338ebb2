package dev.ledger.projection;

import dev.ledger.domain.LedgerEvent;
import dev.ledger.domain.Reason;
import dev.ledger.domain.account.AccountEvent.AccountClosed;
import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.domain.account.AccountEvent.AccountDebited;
import dev.ledger.domain.account.AccountEvent.AccountOpened;
import dev.ledger.domain.account.AccountEvent.FundsReserved;
import dev.ledger.domain.account.AccountEvent.ReservationCaptured;
import dev.ledger.domain.account.AccountEvent.ReservationReleased;
import dev.ledger.domain.transfer.TransferEvent.TransferCompleted;
import dev.ledger.domain.transfer.TransferEvent.TransferInitiated;
import dev.ledger.domain.transfer.TransferEvent.TransferRejected;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.LedgerJson;
import dev.ledger.kafka.TopicNames;

import java.nio.charset.StandardCharsets;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds event logs the way the command processor writes them: gapless seq per aggregate, one clock tick each. */
final class SagaEvents {
    static final Currency EUR = Currency.getInstance("EUR");
    static final Instant START = Instant.parse("2026-03-01T09:00:00Z");

    private final Map<String, Long> seqs = new HashMap<>();
    private final List<EventEnvelope> log = new ArrayList<>();
    private Instant clock = START;

    /** The event as the buffer gets it from the topic: its bytes, read back, at that offset. */
    static EventRecord record(EventEnvelope event, long offset) {
        return EventRecord.read(TopicNames.DEFAULT.events(), 0, offset, 0,
                event.aggregateId().getBytes(StandardCharsets.UTF_8), LedgerJson.writeEvent(event));
    }

    static List<EventRecord> records(List<EventEnvelope> events) {
        List<EventRecord> records = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) records.add(record(events.get(i), i));
        return records;
    }

    EventEnvelope append(LedgerEvent event) {
        return append(event, seqs.getOrDefault(event.aggregateId(), 0L) + 1);
    }

    /** With an explicit seq: to write a gap or a replay on purpose. */
    EventEnvelope append(LedgerEvent event, long seq) {
        String id = event.aggregateId();
        seqs.put(id, Math.max(seq, seqs.getOrDefault(id, 0L)));
        clock = clock.plusSeconds(1);
        EventEnvelope envelope = new EventEnvelope("evt:" + id + ":" + seq, LedgerJson.typeName(event),
                LedgerJson.SCHEMA_VERSION, id, seq, clock, "cmd:" + id + ":" + seq, id, "cmd:" + id + ":" + seq, event);
        log.add(envelope);
        return envelope;
    }

    /** The next event occurs at this instant, and the clock goes on from there. */
    SagaEvents at(Instant next) {
        clock = next.minusSeconds(1);
        return this;
    }

    List<EventEnvelope> log() {
        return List.copyOf(log);
    }

    Instant occurredAt(String aggregateId, long seq) {
        return log.stream().filter(e -> e.aggregateId().equals(aggregateId) && e.seq() == seq)
                .findFirst().orElseThrow().occurredAt();
    }

    static AccountOpened opened(String accountId) {
        return new AccountOpened(accountId, EUR, 0, false, Map.of("customer", "c-" + accountId));
    }

    /**
     * bank (settlement), alice, bob and carol open; carol closes; t-1 deposits 100.00 from bank to
     * alice; t-2 moves 25.00 from alice to bob; t-3 (alice to the closed carol) is rejected and its
     * hold released.
     */
    static SagaEvents saga() {
        SagaEvents s = new SagaEvents();
        s.append(new AccountOpened("bank", EUR, 0, true, Map.of()));
        s.append(opened("alice"));
        s.append(opened("bob"));
        s.append(opened("carol"));
        s.append(new AccountClosed("carol"));
        s.transfer("t-1", "bank", "alice", 10_000);
        s.transfer("t-2", "alice", "bob", 2_500);
        s.append(new TransferInitiated("t-3", "alice", "carol", 1_000, EUR, "gift", Map.of()));
        s.append(new FundsReserved("alice", "t-3", 1_000, "carol"));
        s.append(new ReservationReleased("alice", "t-3", 1_000, Reason.ACCOUNT_CLOSED));
        s.append(new TransferRejected("t-3", Reason.ACCOUNT_CLOSED, Map.of("alice", 6L)));
        return s;
    }

    /** The happy saga: initiate, reserve, credit, capture, complete. */
    void transfer(String transferId, String debit, String credit, long amount) {
        append(new TransferInitiated(transferId, debit, credit, amount, EUR, "ref " + transferId,
                Map.of("order", transferId)));
        append(new FundsReserved(debit, transferId, amount, credit));
        EventEnvelope credited = append(new AccountCredited(credit, transferId, amount, debit));
        EventEnvelope captured = append(new ReservationCaptured(debit, transferId, amount, credit));
        append(new TransferCompleted(transferId, captured.seq(), credited.seq()));
    }

    /** A transfer settled whole: initiate, debit at once, credit, complete. */
    void settled(String transferId, String debit, String credit, long amount) {
        append(new TransferInitiated(transferId, debit, credit, amount, EUR, "ref " + transferId, Map.of()));
        EventEnvelope debited = append(new AccountDebited(debit, transferId, amount, credit));
        EventEnvelope credited = append(new AccountCredited(credit, transferId, amount, debit));
        append(new TransferCompleted(transferId, debited.seq(), credited.seq()));
    }
}
