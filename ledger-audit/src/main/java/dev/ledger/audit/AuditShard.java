package dev.ledger.audit;

import dev.ledger.domain.account.AccountDecider;
import dev.ledger.domain.account.AccountEvent;
import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.domain.account.AccountEvent.AccountDebited;
import dev.ledger.domain.account.AccountEvent.FundsReserved;
import dev.ledger.domain.account.AccountEvent.ReservationCaptured;
import dev.ledger.domain.account.AccountEvent.ReservationReleased;
import dev.ledger.domain.account.AccountProfile;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.account.Balances;
import dev.ledger.domain.transfer.TransferDecider;
import dev.ledger.domain.transfer.TransferEvent;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.kafka.EventCodec;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.HashChain;
import dev.ledger.kafka.LedgerKeys;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;

/**
 * The audit of the partitions one thread reads, record by record, in partition order. An aggregate's
 * events all live on one partition, so they reach exactly one shard, in their order; partitions
 * interleave arbitrarily, which is why everything that spans aggregates (the saga, the invariant) is
 * only judged once every shard is done ({@link AuditEvaluation}).
 *
 * <p>For each record: read it as the ledger reads it ({@link FastEventReader}, which hands anything but
 * the canonical JSON form to {@link EventCodec#read}, binary events included); check its
 * key and partition; check its seq against the aggregate's last; verify its hash with the ledger key
 * over the previous hash and the exact stored bytes; fold it through the domain's {@code evolve};
 * check the account's limit; note what it tells about its transfer's saga. A record that fails a check
 * is still folded when it can be (the balances then show what the log says, and the report says why
 * the log is not to be trusted); the next record is verified against the hash the failing one claimed,
 * so one altered event is named once instead of breaking every later link.
 *
 * <p>Not thread-safe: one per reading thread.
 */
final class AuditShard {

    /**
     * One aggregate's replay: where its chain stands and its folded state. A transfer's track is shared
     * by the shards (its saga facts come from its accounts' partitions) and is only touched under its lock.
     */
    static final class Track<S> {
        /** The aggregate's id: one instance per aggregate, shared by everything that refers to it. */
        final String id;
        /** The partition of its events; -1 for a transfer only named by its accounts so far. */
        int partition;
        S state;
        long seq;
        byte[] hash = HashChain.GENESIS;
        Instant firstAt;
        /** Accounts only: when its last event happened. */
        Instant lastAt;
        /** An event after the as-of instant was read: it and everything after it are outside the cut. */
        boolean cut;
        /** Transfers only: what its accounts recorded, or null while they recorded nothing. */
        SagaFacts facts;

        Track(String id, int partition, S initial) {
            this.id = id;
            this.partition = partition;
            this.state = initial;
        }
    }

    private final String topic;
    /** A MAC per key id of the ring: each record's links verify under the key it names. */
    private final Map<String, HashChain> chains;
    private final Instant asOf;
    private final Violations violations;
    final Map<String, Track<AccountState>> accounts = new HashMap<>(1 << 12);
    /** Shared by every shard: a transfer's events and its accounts' events are on different partitions. */
    private final ConcurrentMap<String, Track<TransferState>> transfers;
    /** Account ids, one instance each: what a million transfers refer to. */
    private final Map<String, String> ids = new HashMap<>(1 << 12);
    long recordsRead;
    long eventsAudited;
    long eventsAfterAsOf;
    /** The latest occurredAt this shard audited. */
    Instant latest;

    /** @param topic the topic read, named in the violations of a record that cannot be read */
    AuditShard(String topic, LedgerKeys keys, Instant asOf, Violations violations,
               ConcurrentMap<String, Track<TransferState>> transfers) {
        this.topic = topic;
        this.chains = keys.chains();
        this.asOf = asOf;
        this.violations = violations;
        this.transfers = transfers;
    }

    /**
     * @param key         the record key (the aggregate id), may be null
     * @param value       the exact stored bytes
     * @param claimedHash the {@value HashChain#HEADER} header, or null when absent
     * @param keyId       the id of the key the record names ({@link LedgerKeys#idOf}): the one its links verify under
     */
    void accept(int partition, long offset, String key, byte[] value, byte[] claimedHash, String keyId) {
        accept(partition, offset, key, true, value, claimedHash, keyId);
    }

    /** One event of a record that holds a batch: the record's key names none of them, so none is checked. */
    void acceptInBatch(int partition, long offset, byte[] value, byte[] claimedHash, String keyId) {
        accept(partition, offset, null, false, value, claimedHash, keyId);
    }

    /** A record that is no event record of either format: named, and the run goes on. */
    void unreadableRecord(int partition, long offset, String key, String reason) {
        recordsRead++;
        violations.add(AuditCheck.READABLE, key, null, partition, offset, where(partition, offset)
                + ": unreadable record: " + reason);
    }

    private void accept(int partition, long offset, String key, boolean keyed, byte[] value, byte[] claimedHash,
                        String keyId) {
        recordsRead++;
        if (value == null) {
            violations.add(AuditCheck.READABLE, key, null, partition, offset, where(partition, offset)
                    + ": a record without a value (tombstone)");
            return;
        }
        EventEnvelope envelope;
        try {
            envelope = FastEventReader.read(value, ids);
        } catch (RuntimeException unreadable) {
            violations.add(AuditCheck.READABLE, key, null, partition, offset, where(partition, offset)
                    + ": unreadable event" + eventIdIn(value) + ": " + unreadable.getMessage());
            return;
        }
        try {
            fold(partition, offset, keyed ? key : envelope.aggregateId(), value, claimedHash, keyId, envelope);
        } catch (RuntimeException unexpected) {
            // a record no check foresaw must not end the audit: it is named, and the run goes on
            violations.add(AuditCheck.READABLE, envelope.aggregateId(), envelope.seq(), partition, offset,
                    where(partition, offset) + ": event " + envelope.eventId() + " could not be audited: " + unexpected);
        }
    }

    private void fold(int partition, long offset, String key, byte[] value, byte[] claimedHash, String keyId,
                      EventEnvelope envelope) {
        switch (envelope.event()) {
            case AccountEvent e -> account(partition, offset, key, value, claimedHash, keyId, envelope, e);
            case TransferEvent e -> {
                Track<TransferState> track = transferTrack(envelope.aggregateId());
                synchronized (track) {
                    transfer(track, partition, offset, key, value, claimedHash, keyId, envelope, e);
                }
            }
            default -> violations.add(AuditCheck.READABLE, key, envelope.seq(), partition, offset,
                    where(partition, offset) + ": event " + envelope.eventId() + " of no known aggregate: "
                            + envelope.type());
        }
    }

    /** The record's place, as every reader of a topic names it: {@code <topic>-<partition>@<offset>}. */
    private String where(int partition, long offset) {
        return topic + "-" + partition + "@" + offset;
    }

    /** " (event id X)" when the bytes (JSON or binary) name an event id, else nothing: the best name left. */
    private static String eventIdIn(byte[] value) {
        String id = EventCodec.eventIdIn(value);
        return id != null ? " (event id " + id + ")" : "";
    }

    private void account(int partition, long offset, String key, byte[] value, byte[] claimedHash, String keyId,
                         EventEnvelope envelope, AccountEvent event) {
        Track<AccountState> track = accounts.get(envelope.aggregateId());
        if (track == null) {
            track = new Track<>(envelope.aggregateId(), partition, AccountDecider.INITIAL);
            accounts.put(track.id, track);
        }
        if (!admit(track, envelope)) return;
        track.lastAt = envelope.occurredAt();
        verifyLink(track, partition, offset, key, value, claimedHash, keyId, envelope);
        AccountState next;
        try {
            next = AccountDecider.evolve(track.state, event);
        } catch (RuntimeException impossible) {
            domain(envelope, partition, offset, impossible);
            return;
        }
        track.state = next;
        checkLimit(envelope, partition, offset, next);
        switch (event) {
            case FundsReserved e -> step(e.transferId(), track, envelope, e.amount(), Kind.RESERVED);
            case AccountCredited e -> step(e.transferId(), track, envelope, e.amount(), Kind.CREDITED);
            case ReservationCaptured e -> step(e.transferId(), track, envelope, e.amount(), Kind.CAPTURED);
            case AccountDebited e -> step(e.transferId(), track, envelope, e.amount(), Kind.DEBITED);
            case ReservationReleased e -> step(e.transferId(), track, envelope, e.amount(), Kind.RELEASED);
            default -> {
            }
        }
    }

    /** Called with the track's lock held. */
    private void transfer(Track<TransferState> track, int partition, long offset, String key, byte[] value,
                          byte[] claimedHash, String keyId, EventEnvelope envelope, TransferEvent event) {
        if (track.partition < 0) track.partition = partition;
        if (!admit(track, envelope)) return;
        verifyLink(track, partition, offset, key, value, claimedHash, keyId, envelope);
        try {
            track.state = TransferDecider.evolve(track.state, event);
        } catch (RuntimeException impossible) {
            domain(envelope, partition, offset, impossible);
        }
    }

    private Track<TransferState> transferTrack(String id) {
        Track<TransferState> track = transfers.get(id);
        if (track == null) {
            Track<TransferState> created = new Track<>(id, -1, TransferDecider.INITIAL);
            track = transfers.putIfAbsent(id, created);
            if (track == null) track = created;
        }
        return track;
    }

    /** False for an event outside the as-of cut: each aggregate's history is cut at its first later event. */
    private boolean admit(Track<?> track, EventEnvelope envelope) {
        if (track.cut || (asOf != null && envelope.occurredAt().isAfter(asOf))) {
            track.cut = true;
            eventsAfterAsOf++;
            return false;
        }
        eventsAudited++;
        if (track.firstAt == null) track.firstAt = envelope.occurredAt();
        if (latest == null || envelope.occurredAt().isAfter(latest)) latest = envelope.occurredAt();
        return true;
    }

    /** Envelope, sequence and hash checks of one record against its aggregate's chain so far. */
    private void verifyLink(Track<?> track, int partition, long offset, String key, byte[] value, byte[] claimedHash,
                            String keyId,
                            EventEnvelope envelope) {
        String id = envelope.aggregateId();
        long seq = envelope.seq();
        if (!id.equals(key)) {
            violations.add(AuditCheck.ENVELOPE, id, seq, partition, offset, "the record is keyed '" + key
                    + "' but its event belongs to '" + id + "'");
        }
        if (!envelope.event().aggregateId().equals(id)) {
            violations.add(AuditCheck.ENVELOPE, id, seq, partition, offset, "the envelope names '" + id
                    + "' but its data belongs to '" + envelope.event().aggregateId() + "'");
        }
        if (track.partition != partition) {
            violations.add(AuditCheck.ENVELOPE, id, seq, partition, offset, "the aggregate's earlier events are on "
                    + "partition " + track.partition + ": its order across partitions is undefined");
        }
        long expected = track.seq + 1;
        if (seq > expected) {
            violations.add(AuditCheck.SEQUENCE, id, expected, partition, offset, "seq " + expected
                    + (seq == expected + 1 ? " is" : ".." + (seq - 1) + " are") + " missing: the event after seq "
                    + track.seq + " is seq " + seq);
        } else if (seq < expected) {
            violations.add(AuditCheck.SEQUENCE, id, seq, partition, offset, "seq " + seq + " comes after seq "
                    + track.seq + ": out of order or repeated");
        }
        track.seq = Math.max(track.seq, seq);
        if (claimedHash == null) {
            violations.add(AuditCheck.HASH_CHAIN, id, seq, partition, offset, "the record has no "
                    + HashChain.HEADER + " header");
        } else {
            HashChain chain = chains.get(keyId);
            if (chain == null) {
                violations.add(AuditCheck.HASH_CHAIN, id, seq, partition, offset, "the record names the key "
                        + LedgerKeys.describe(keyId) + " (" + LedgerKeys.HEADER + "), which the audit's keys do not hold: "
                        + "add it to LEDGER_KEYS_FILE, or the record was forged");
            } else if (!chain.verifies(track.hash, value, claimedHash)) {
                violations.add(AuditCheck.HASH_CHAIN, id, seq, partition, offset, "the " + HashChain.HEADER
                        + " header is not HMAC(key " + LedgerKeys.describe(keyId) + ", previous hash || these bytes): "
                        + "the event was altered, forged, moved or an earlier one is missing");
            }
            track.hash = claimedHash;
        }
    }

    private void domain(EventEnvelope envelope, int partition, long offset, RuntimeException impossible) {
        violations.add(AuditCheck.DOMAIN, envelope.aggregateId(), envelope.seq(), partition, offset,
                envelope.type() + " cannot apply: " + impossible.getMessage());
    }

    /** Debits posted and held may never exceed credits plus the overdraft limit (the reservation's rule). */
    private void checkLimit(EventEnvelope envelope, int partition, long offset, AccountState state) {
        if (!(state instanceof AccountState.Open open)) return;
        AccountProfile profile = open.profile();
        if (profile.unlimitedOverdraft()) return;
        Balances b = open.balances();
        try {
            long exposure = Math.subtractExact(Math.addExact(b.debitsPosted(), b.debitsPending()), b.creditsPosted());
            if (exposure > profile.overdraftLimit()) {
                violations.add(AuditCheck.LIMITS, envelope.aggregateId(), envelope.seq(), partition, offset,
                        "debits posted " + b.debitsPosted() + " + held " + b.debitsPending() + " - credits "
                                + b.creditsPosted() + " = " + exposure + " exceed the overdraft limit "
                                + profile.overdraftLimit());
            }
        } catch (ArithmeticException overflow) {
            violations.add(AuditCheck.LIMITS, envelope.aggregateId(), envelope.seq(), partition, offset,
                    "debits posted plus held overflow a long");
        }
    }

    private enum Kind { RESERVED, CREDITED, CAPTURED, RELEASED, DEBITED }

    private void step(String transferId, Track<AccountState> account, EventEnvelope envelope, long amount, Kind kind) {
        var step = new SagaFacts.Step(account.id, envelope.seq(), amount);
        Track<TransferState> transfer = transferTrack(transferId);
        synchronized (transfer) {
            SagaFacts facts = transfer.facts;
            if (facts == null) {
                facts = new SagaFacts();
                transfer.facts = facts;
            }
            switch (kind) {
                case RESERVED -> facts.reserved = SagaFacts.pick(transferId, "FundsReserved", facts.reserved, step, violations);
                case CREDITED -> {
                    if (facts.credited == null) facts.creditedCurrency = LedgerReplay.currencyOf(account.state);
                    facts.credited = SagaFacts.pick(transferId, "AccountCredited", facts.credited, step, violations);
                }
                case CAPTURED -> facts.captured = SagaFacts.pick(transferId, "ReservationCaptured", facts.captured, step,
                        violations);
                case RELEASED -> facts.released = SagaFacts.pick(transferId, "ReservationReleased", facts.released, step,
                        violations);
                case DEBITED -> facts.debited = SagaFacts.pick(transferId, "AccountDebited", facts.debited, step,
                        violations);
            }
        }
    }
}
