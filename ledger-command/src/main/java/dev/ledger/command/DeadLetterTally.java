package dev.ledger.command;

import dev.ledger.kafka.DeadLetterLog;
import dev.ledger.kafka.KafkaClients;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gauge {@value #METRIC} ({@code ledger_dead_letters} in Prometheus): how many dead letters the
 * dead-letter topic holds, counted by reading it from its first offset and then following it
 * (read_committed). Unlike a counter of this process's own dead letters it is the same on every
 * instance and after a restart, once the reader has caught up. Dead letters are rare, so reading them
 * all costs little. One consumer, one thread, bounded backoff after a failed poll.
 */
final class DeadLetterTally implements AutoCloseable {
    static final String METRIC = "ledger.dead.letters";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterTally.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    private static final long ERROR_BACKOFF_MS = 1_000;
    private static final long STOP_TIMEOUT_MS = 5_000;

    private final String topic;
    private final KafkaConsumer<String, byte[]> consumer;
    private final AtomicLong count = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    private DeadLetterTally(KafkaClients clients, String topic) {
        this.topic = topic;
        this.consumer = DeadLetterLog.consumer(clients, "ledger-dead-letter-tally");
        this.thread = Thread.ofPlatform().name("ledger-dead-letter-tally").daemon().unstarted(this::run);
    }

    static DeadLetterTally start(KafkaClients clients, String topic, MeterRegistry registry) {
        var tally = new DeadLetterTally(clients, topic);
        Gauge.builder(METRIC, tally.count, AtomicLong::get)
                .description("dead letters on the dead-letter topic (every instance's, since the topic began): "
                        + "commands the processor could not read, found invalid, or could not prove it wrote")
                .register(registry);
        tally.thread.start();
        return tally;
    }

    long count() {
        return count.get();
    }

    private void run() {
        try {
            List<TopicPartition> partitions = DeadLetterLog.partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                try {
                    count.addAndGet(consumer.poll(POLL_TIMEOUT).count());
                } catch (WakeupException e) {
                    if (running) throw e;
                } catch (RuntimeException e) {
                    // a broker hiccup must not stop the count: it resumes from the consumer's position
                    LOG.warn("reading {} failed; retrying in {} ms", topic, ERROR_BACKOFF_MS, e);
                    Thread.sleep(ERROR_BACKOFF_MS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (WakeupException e) {
            // closed
        } catch (RuntimeException e) {
            LOG.error("the dead-letter count stopped; {} no longer follows {}", METRIC, topic, e);
        } finally {
            consumer.close(Duration.ofSeconds(1));
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(STOP_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
