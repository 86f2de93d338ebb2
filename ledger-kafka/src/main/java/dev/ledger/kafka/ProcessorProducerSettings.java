package dev.ledger.kafka;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The producer settings of the command processor, in one place: the processor sets them on its Kafka
 * Streams producer, and the bench's Kafka-limit row builds its producers from the same map, so that the
 * limit is measured with exactly what the ledger writes with.
 *
 * <p>Exactly-once Streams already sets the first four on its producers; they are written out here so that
 * a producer built outside Kafka Streams (the limit) gets them too.
 */
public final class ProcessorProducerSettings {
    /**
     * Every commit flushes the producer, so a linger longer than the commit interval adds no latency: it
     * only gathers what one cycle writes into one request per partition instead of many small ones
     * (measured in BENCHMARKS.md: +24% transfers/s).
     */
    public static final int LINGER_MS = 100;
    public static final int BATCH_BYTES = 512 * 1024;
    /**
     * Room for a full batch on every partition the processor writes (commands, events, results, dead
     * letters and the changelog of the steps that wrote no event, each with the ledger's partitions: 60
     * at 12 partitions, 30 MiB; it once wrote three changelogs, 84 partitions): the default 32 MiB would
     * make a send wait for memory in the middle of a commit cycle.
     */
    public static final long BUFFER_BYTES = 128L * 1024 * 1024;
    /**
     * Under transactions version 2 a produce right after a commit may be answered CONCURRENT_TRANSACTIONS
     * while the markers are still being written; the retry waits this long, not the default 100 ms that
     * showed in the tail latency.
     */
    public static final int RETRY_BACKOFF_MS = 5;
    /**
     * Snappy, not lz4: Kafka's lz4 writer allocates two 64 KiB block buffers for every batch it opens,
     * and the processor opens one per partition it writes at every commit (about 14 per commit at 12
     * partitions, 70 commits/s in the open loop): lz4 was most of the stream thread's 184 MB/s of
     * allocation and a young collection every 0.75 s; snappy's writer recycles its buffers. Measured
     * side by side (BENCHMARKS.md): the same throughput and on-disk size, and as few collections as
     * with no compression, which writes a quarter more to disk.
     */
    public static final String COMPRESSION = "snappy";
    /** Kafka Streams' own transaction timeout under exactly_once_v2. */
    public static final int TRANSACTION_TIMEOUT_MS = 10_000;

    private ProcessorProducerSettings() {
    }

    /** Producer settings by their plain names (no {@code producer.} prefix); transactional.id comes on top. */
    public static Map<String, Object> producerConfig() {
        var config = new LinkedHashMap<String, Object>();
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
        config.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, BATCH_BYTES);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, COMPRESSION);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, BUFFER_BYTES);
        config.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, RETRY_BACKOFF_MS);
        return config;
    }
}
