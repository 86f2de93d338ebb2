package dev.ledger.api;

import dev.ledger.domain.LedgerCommand;
import dev.ledger.domain.Outcome;
import dev.ledger.kafka.CommandEnvelope;
import dev.ledger.kafka.KafkaClients;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Sends client commands to {@code ledger.commands} and waits, without blocking a thread, for their
 * outcomes. A reply built from an empty outcome claims only that the command is recorded, so that
 * case waits for the broker's acknowledgement too.
 */
final class CommandGateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CommandGateway.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final CommandBatcher batcher;
    private final ResultWaiters waiters;
    private final ApiMetrics metrics;
    private final Clock clock;

    /** @param lingerMs how long a single request's command may wait for others bound for its partition */
    CommandGateway(Producer<String, byte[]> producer, String topic, long lingerMs, ResultWaiters waiters,
                   ApiMetrics metrics, Clock clock) {
        this.producer = producer;
        this.topic = topic;
        this.batcher = new CommandBatcher(producer, topic, lingerMs, metrics);
        this.waiters = waiters;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Idempotent (a broker retry never duplicates a command), acknowledged by every in-sync replica,
     * and never blocking a request thread for long: metadata is fetched at start and
     * {@code max.block.ms} caps the rest.
     */
    static KafkaProducer<String, byte[]> producer(KafkaClients clients) {
        Properties props = clients.producer("ledger-api-commands-" + UUID.randomUUID());
        props.putAll(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 2,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000));
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Fetches the topic's metadata now, so that the first request does not wait for it; best effort. */
    void warmUp() {
        try {
            producer.partitionsFor(topic);
        } catch (RuntimeException e) {
            log.warn("no metadata for {} yet; the first send will fetch it", topic, e);
        }
    }

    CompletableFuture<Optional<Outcome>> submit(LedgerCommand command, long waitMs) {
        return submitAll(List.of(command), waitMs).get(0);
    }

    /**
     * Sends every command, one record per partition they address (a single command may wait
     * {@code lingerMs} for others bound for its partition), and returns one future per command: its outcome,
     * or empty when none came within {@code waitMs} (the command is then recorded, and the decision
     * pending). A future fails with {@link UnavailableException} when Kafka did not take the command.
     *
     * @throws TooManyWaitingException before anything is sent, when the waiters are at their bound
     */
    List<CompletableFuture<Optional<Outcome>>> submitAll(List<LedgerCommand> commands, long waitMs) {
        var envelopes = commands.stream()
                .map(c -> CommandEnvelope.fromClient(UUID.randomUUID().toString(), clock.instant(), c))
                .toList();
        // waiters first: a result may come back before the send is acknowledged
        List<CompletableFuture<Optional<Outcome>>> outcomes = waitMs > 0
                ? waiters.register(envelopes.stream()
                        .map(e -> new ResultWaiters.Expected(e.commandId(), e.command().aggregateId())).toList(), waitMs)
                : null;
        long sentAtNanos = System.nanoTime();
        List<CompletableFuture<Void>> sent = send(envelopes, outcomes);
        var answers = new ArrayList<CompletableFuture<Optional<Outcome>>>(envelopes.size());
        for (int i = 0; i < envelopes.size(); i++) {
            CommandEnvelope envelope = envelopes.get(i);
            CompletableFuture<Void> acked = sent.get(i);
            if (outcomes == null) {
                answers.add(acked.thenApply(ignored -> Optional.empty()));
                continue;
            }
            CompletableFuture<Optional<Outcome>> outcome = outcomes.get(i);
            acked.whenComplete((ignored, error) -> {
                if (error != null) outcome.completeExceptionally(error); // no result will ever come
            });
            outcome.thenAccept(o -> o.ifPresent(decided -> metrics.outcome(envelope.type(), decided,
                    Duration.ofNanos(System.nanoTime() - sentAtNanos))));
            answers.add(outcome.thenCompose(o -> o.isPresent() ? CompletableFuture.completedFuture(o)
                    : acked.thenApply(ignored -> o)));
        }
        return answers;
    }

    private List<CompletableFuture<Void>> send(List<CommandEnvelope> envelopes,
                                               List<CompletableFuture<Optional<Outcome>>> outcomes) {
        if (envelopes.size() != 1) return batcher.sendNow(envelopes); // a batch request's commands leave at once
        try {
            return List.of(batcher.send(envelopes.get(0)));
        } catch (RuntimeException e) {
            if (outcomes != null) outcomes.forEach(o -> o.complete(Optional.empty())); // frees the waiter slots
            throw e;
        }
    }

    @Override
    public void close() {
        batcher.close();
        producer.close(CLOSE_TIMEOUT);
    }
}
