package dev.ledger.command;

import dev.ledger.kafka.Aggregate;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.EventRecords;
import dev.ledger.kafka.HashChain;
import dev.ledger.kafka.LedgerKeys;

import java.util.Map;

/**
 * Whether an event read back from {@code ledger.events} may enter the processor's state: it must be
 * the next of its aggregate's history (seq) and linked to it under the ledger key (its hash-chain
 * link, verified as the audit verifies it, under the key its record names in {@value LedgerKeys#HEADER}).
 * Anyone who may write to the topic can put an event there;
 * only the ledger can link one, so a forged, altered, repeated or moved event is refused here. The one
 * place the restore uses the key. Not thread-safe: one per task.
 */
final class LoggedEventCheck {
    private final Map<String, HashChain> chains;

    LoggedEventCheck(LedgerKeys keys) {
        this.chains = keys.chains();
    }

    /**
     * @param aggregate its aggregate as folded so far
     * @param version   the version (last seq) of that aggregate's state
     * @param keyId     the id of the key the event's record names ({@link LedgerKeys#idOf})
     * @return why the event may not be folded, or null when it may
     */
    String problem(Aggregate<?> aggregate, long version, EventEnvelope envelope, EventRecords.Stored stored,
                   String keyId) {
        if (!envelope.event().aggregateId().equals(envelope.aggregateId())) {
            return "the envelope names '" + envelope.aggregateId() + "' but its data belongs to '"
                    + envelope.event().aggregateId() + "'";
        }
        if (envelope.seq() != version + 1) {
            return "seq " + envelope.seq() + " of '" + envelope.aggregateId() + "' where seq " + (version + 1) + " is next";
        }
        if (stored.hash() == null) return "no hash-chain link (" + HashChain.HEADER + ")";
        HashChain chain = chains.get(keyId);
        if (chain == null) return "linked under a key this ledger does not hold: " + LedgerKeys.describe(keyId);
        if (!chain.verifies(aggregate.lastHash(), stored.value(), stored.hash())) {
            return "its hash-chain link is not HMAC(ledger key, previous hash || its bytes): forged, altered or copied";
        }
        return null;
    }
}
