package dev.ledger.api;

import dev.ledger.kafka.CommandResult;
import dev.ledger.kafka.KafkaClients;
import dev.ledger.kafka.ResultRecords;
import dev.ledger.kafka.Topic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads {@code ledger.results} for this API instance and hands each result to the waiters. One
 * consumer, one thread, every partition assigned (not subscribed: each instance must see every
 * result, since it cannot know which partition a result lands on), read_committed so that a result
 * from an aborted transaction is never answered. It starts at the end of each partition, and the
 * API accepts no request before that end is fixed, so a result for a request of this instance is
 * never missed.
 */
final class ResultListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ResultListener.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final long ERROR_BACKOFF_MS = 1_000;
    private static final long STOP_TIMEOUT_MS = 5_000;

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final ResultWaiters waiters;
    private final ApiMetrics metrics;
    private final CompletableFuture<Void> positioned = new CompletableFuture<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean pollHealthy = true;

    ResultListener(KafkaClients clients, Topic<String, CommandResult> topic, ResultWaiters waiters, ApiMetrics metrics) {
        this.topic = topic.name();
        this.waiters = waiters;
        this.metrics = metrics;
        Properties props = clients.consumer("ledger-api-results-" + UUID.randomUUID());
        props.putAll(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, // no group: the position is never stored
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"));
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = Thread.ofPlatform().name("ledger-api-results").daemon().unstarted(this::run);
    }

    /** Starts reading and returns once every partition's position is fixed at its end. */
    void start(Duration positionTimeout) {
        thread.start();
        try {
            positioned.get(positionTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot position on " + topic, e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("not positioned on " + topic + " within " + positionTimeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while positioning on " + topic, e);
        }
    }

    /** Ready means positioned, still reading, and the last poll succeeded. */
    boolean isReady() {
        return positioned.isDone() && !positioned.isCompletedExceptionally() && thread.isAlive() && pollHealthy;
    }

    private void run() {
        try {
            positionAtEnd();
            while (running) {
                try {
                    consumer.poll(POLL_TIMEOUT).forEach(this::dispatch);
                    pollHealthy = true;
                } catch (WakeupException e) {
                    if (running) throw e;
                } catch (RuntimeException e) {
                    // a broker hiccup must not kill the only reader; waiters time out meanwhile
                    pollHealthy = false;
                    log.warn("reading {} failed; retrying in {} ms", topic, ERROR_BACKOFF_MS, e);
                    Thread.sleep(ERROR_BACKOFF_MS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (WakeupException e) {
            // close() during positioning
        } catch (RuntimeException e) {
            log.error("the results reader stopped", e);
            positioned.completeExceptionally(e);
        } finally {
            positioned.completeExceptionally(new IllegalStateException("the results reader stopped"));
            consumer.close(Duration.ofSeconds(1));
        }
    }

    private void positionAtEnd() throws InterruptedException {
        List<TopicPartition> partitions = partitions();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // seekToEnd is lazy: position() makes it resolve now, before any request is accepted
        partitions.forEach(p -> consumer.position(p, Duration.ofSeconds(30)));
        log.info("reading {} from the end of {} partitions", topic, partitions.size());
        positioned.complete(null);
    }

    private List<TopicPartition> partitions() throws InterruptedException {
        while (running) {
            try {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                if (infos != null && !infos.isEmpty()) {
                    return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
                }
                log.info("topic {} not found yet; waiting for it", topic);
            } catch (org.apache.kafka.common.errors.TimeoutException e) { // no metadata yet, not a failure
                log.info("no metadata for {} yet; retrying", topic);
            }
            Thread.sleep(ERROR_BACKOFF_MS);
        }
        throw new WakeupException();
    }

    private void dispatch(ConsumerRecord<String, byte[]> record) {
        List<CommandResult> read;
        try {
            read = ResultRecords.read(record.value());
        } catch (RuntimeException e) {
            // a result is a courtesy to a waiting caller, not ledger state: skipping one costs a timeout
            metrics.unreadableResult();
            log.warn("skipping an unreadable result at {}-{}@{}", record.topic(), record.partition(), record.offset(), e);
            return;
        }
        // the record's timestamp is when the processor decided the first command of its commit
        metrics.committed(System.currentTimeMillis() - record.timestamp(), read.size());
        read.forEach(waiters::dispatch);
    }

    @Override
    public void close() {
        running = false;
        if (thread.getState() == Thread.State.NEW) {
            consumer.close(Duration.ofSeconds(1));
            return;
        }
        consumer.wakeup();
        try {
            thread.join(STOP_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
