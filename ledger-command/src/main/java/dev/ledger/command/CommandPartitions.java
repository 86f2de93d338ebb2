package dev.ledger.command;

import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;

/**
 * Which partition of the commands topic a command for an aggregate lands on: the producer's default
 * partitioning of the key (murmur2 of its UTF-8 bytes), as the API and the saga's sink use it. The
 * partition count must be the topic's real one, read from the broker: a wrong count would let two
 * tasks both own an account.
 */
record CommandPartitions(int count) {
    CommandPartitions {
        if (count < 1) throw new IllegalArgumentException("a topic has at least one partition, not " + count);
    }

    int partitionOf(String aggregateId) {
        return Utils.toPositive(Utils.murmur2(aggregateId.getBytes(StandardCharsets.UTF_8))) % count;
    }

    boolean isLocal(String aggregateId, int taskPartition) {
        return partitionOf(aggregateId) == taskPartition;
    }
}
