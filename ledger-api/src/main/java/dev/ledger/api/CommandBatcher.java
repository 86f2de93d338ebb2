package dev.ledger.api;

import dev.ledger.kafka.AggregatePartitions;
import dev.ledger.kafka.CommandEnvelope;
import dev.ledger.kafka.CommandRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Groups commands bound for the same partition into one record of {@code ledger.commands}, the way
 * TigerBeetle's clients batch: the processor then pays its per-record cost (a read, a decode, a
 * transaction's bookkeeping) once for many commands. Single requests are gathered for at most
 * {@code lingerMs} after the first of a batch arrives, or until {@code MAX_COMMANDS_PER_RECORD} wait;
 * a batch request's commands leave at once. One thread sends; the queue in front of it is bounded.
 */
final class CommandBatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CommandBatcher.class);
    static final int MAX_QUEUED_COMMANDS = 20_000;

    private record Pending(CommandEnvelope envelope, CompletableFuture<Void> acked, long queuedAtNanos) {
        Pending(CommandEnvelope envelope) {
            this(envelope, new CompletableFuture<>(), System.nanoTime());
        }
    }

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final long lingerNanos;
    private final ApiMetrics metrics;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(MAX_QUEUED_COMMANDS);
    private final Thread sender;
    private volatile boolean running = true;

    CommandBatcher(Producer<String, byte[]> producer, String topic, long lingerMs, ApiMetrics metrics) {
        this.producer = producer;
        this.topic = topic;
        this.lingerNanos = TimeUnit.MILLISECONDS.toNanos(lingerMs);
        this.metrics = metrics;
        this.sender = Thread.ofPlatform().name("ledger-api-batcher").daemon().start(this::run);
    }

    /**
     * Queues one command; the future completes once the broker has it.
     *
     * @throws TooManyWaitingException when the queue is full (the broker is not keeping up)
     */
    CompletableFuture<Void> send(CommandEnvelope envelope) {
        var pending = new Pending(envelope);
        if (!running) throw new UnavailableException("the server is stopping", null);
        if (!queue.offer(pending)) throw new TooManyWaitingException(MAX_QUEUED_COMMANDS);
        return pending.acked();
    }

    /** Sends these commands now, one record per partition they address; one future per command. */
    List<CompletableFuture<Void>> sendNow(List<CommandEnvelope> envelopes) {
        var pending = envelopes.stream().map(Pending::new).toList();
        sendGrouped(pending);
        return pending.stream().map(Pending::acked).toList();
    }

    private void run() {
        var batch = new ArrayList<Pending>();
        while (running) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                long deadline = System.nanoTime() + lingerNanos;
                while (batch.size() < CommandRecords.MAX_COMMANDS_PER_RECORD) {
                    long left = deadline - System.nanoTime();
                    Pending next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) break;
                    batch.add(next);
                    queue.drainTo(batch, CommandRecords.MAX_COMMANDS_PER_RECORD - batch.size());
                }
                sendGrouped(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("sending a batch of {} commands failed", batch.size(), e);
                batch.forEach(p -> p.acked().completeExceptionally(unrecorded(e)));
            } finally {
                batch.clear();
            }
        }
    }

    private void sendGrouped(List<Pending> pending) {
        if (pending.isEmpty()) return;
        AggregatePartitions partitions;
        try {
            partitions = new AggregatePartitions(producer.partitionsFor(topic).size());
        } catch (RuntimeException e) {
            pending.forEach(p -> p.acked().completeExceptionally(unrecorded(e)));
            return;
        }
        Map<Integer, List<Pending>> byPartition = new TreeMap<>();
        pending.forEach(p -> byPartition.computeIfAbsent(partitions.partitionOf(p.envelope().command().aggregateId()),
                ignored -> new ArrayList<>()).add(p));
        byPartition.values().forEach(group -> {
            for (int from = 0; from < group.size(); from += CommandRecords.MAX_COMMANDS_PER_RECORD) {
                sendRecord(group.subList(from, Math.min(group.size(), from + CommandRecords.MAX_COMMANDS_PER_RECORD)));
            }
        });
    }

    /** Keyed by the first command's aggregate: the default partitioner puts it where they all live. */
    private void sendRecord(List<Pending> group) {
        var acks = group.stream().map(Pending::acked).toList();
        try {
            byte[] value = CommandRecords.write(group.stream().map(Pending::envelope).toList());
            String key = group.get(0).envelope().command().aggregateId();
            long sentAtNanos = System.nanoTime();
            group.forEach(p -> metrics.queued(sentAtNanos - p.queuedAtNanos()));
            producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
                if (error == null) {
                    metrics.acknowledged(System.nanoTime() - sentAtNanos, acks.size());
                    acks.forEach(a -> a.complete(null));
                } else {
                    acks.forEach(a -> a.completeExceptionally(unrecorded(error)));
                }
            });
        } catch (RuntimeException e) {
            acks.forEach(a -> a.completeExceptionally(unrecorded(e)));
        }
    }

    private static UnavailableException unrecorded(Throwable error) {
        return new UnavailableException("the command could not be recorded: " + error.getMessage(), error);
    }

    /** Stops gathering; what is queued is failed, so that no caller waits for a send that never comes. */
    @Override
    public void close() {
        running = false;
        sender.interrupt();
        try {
            sender.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        var left = new ArrayList<Pending>();
        queue.drainTo(left);
        left.forEach(p -> p.acked().completeExceptionally(new UnavailableException("the server is stopping", null)));
    }
}
