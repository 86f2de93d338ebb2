package dev.ledger.api;

import dev.ledger.domain.LedgerCommand;
import dev.ledger.domain.Outcome;
import dev.ledger.kafka.CommandEnvelope;
import dev.ledger.kafka.Topic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    private final Producer<String, CommandEnvelope> producer;
    private final String topic;
    private final ResultWaiters waiters;
    private final ApiMetrics metrics;
    private final Clock clock;

    CommandGateway(Producer<String, CommandEnvelope> producer, String topic, ResultWaiters waiters, ApiMetrics metrics,
                   Clock clock) {
        this.producer = producer;
        this.topic = topic;
        this.waiters = waiters;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Idempotent (a broker retry never duplicates a command), acknowledged by every in-sync replica,
     * and never blocking a request thread for long: metadata is fetched at start and
     * {@code max.block.ms} caps the rest.
     */
    static KafkaProducer<String, CommandEnvelope> producer(String bootstrapServers, Topic<String, CommandEnvelope> topic) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, "ledger-api-commands-" + UUID.randomUUID(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 2,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000),
                topic.keySerde().serializer(), topic.valueSerde().serializer());
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
     * Sends every command, keyed by its aggregate, and returns one future per command: its outcome,
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
        var answers = new ArrayList<CompletableFuture<Optional<Outcome>>>(envelopes.size());
        for (int i = 0; i < envelopes.size(); i++) {
            CommandEnvelope envelope = envelopes.get(i);
            CompletableFuture<Void> acked = send(envelope);
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

    private CompletableFuture<Void> send(CommandEnvelope envelope) {
        var acked = new CompletableFuture<Void>();
        try {
            producer.send(new ProducerRecord<>(topic, envelope.command().aggregateId(), envelope), (metadata, error) -> {
                if (error == null) acked.complete(null);
                else acked.completeExceptionally(new UnavailableException("the command could not be recorded: "
                        + error.getMessage(), error));
            });
        } catch (RuntimeException e) {
            acked.completeExceptionally(new UnavailableException("the command could not be recorded: " + e.getMessage(), e));
        }
        return acked;
    }

    @Override
    public void close() {
        producer.close(CLOSE_TIMEOUT);
    }
}
