package dev.ledger.kafka;

import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;

/**
 * Which partition of the (co-partitioned) ledger topics an aggregate lives on: the producer's
 * default partitioning of its id (murmur2 of the UTF-8 bytes). Every writer places records with it:
 * the API when it groups commands into one record per partition, the processor for the saga's next
 * steps. The count must be the topic's real one, read from the broker: a wrong count would let two
 * tasks both own an account.
 */
public record AggregatePartitions(int count) {
    public AggregatePartitions {
        if (count < 1) throw new IllegalArgumentException("a topic has at least one partition, not " + count);
    }

    public int partitionOf(String aggregateId) {
        return Utils.toPositive(Utils.murmur2(aggregateId.getBytes(StandardCharsets.UTF_8))) % count;
    }

    public boolean isLocal(String aggregateId, int partition) {
        return partitionOf(aggregateId) == partition;
    }
}
