package dev.ledger.bench;

import dev.ledger.kafka.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.ledger.kafka.ProcessorProducerSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The limit: what the broker takes when nothing but the ledger's own writes are appended. For every
 * transfer it appends, with transactions, the records the ledger writes per transfer (measured by
 * {@link LedgerRecords}: the same count per topic, the same bytes and headers) to scratch topics with
 * the same partition counts, keyed the same way (the transfer's id, its accounts).
 *
 * <p>How it is made comparable with the ledger. The ledger's command processor is one stream thread
 * with one transactional, idempotent producer ({@code exactly_once_v2}), and it commits many transfers'
 * records per transaction. The limit's producers are built from the processor's own producer settings
 * ({@link ProcessorProducerSettings#producerConfig()}: acks=all, idempotent, linger, batch size, snappy);
 * it has as many producers ({@code producers}, 1 by default), and it group-commits: a producer thread
 * takes everything the clients have submitted, appends it in one transaction, commits, answers those
 * clients, and starts the next transaction at once with whatever arrived meanwhile. So the limit never
 * waits for a commit interval, never reads, never decides, never commits consumer offsets: each
 * transfer costs its share of the appends and of a commit, where the ledger also reads, decides and
 * commits consumer offsets (and, across partitions, hops through the saga). Where the ledger writes one
 * record for many transfers (a batch of commands, of events, of results), the limit does the same: a
 * topic's records per transfer may be a fraction, and the limit appends a record of that topic once
 * per so many transfers, keeping the fraction's remainder per client. The clients are the same
 * closed loop as for the other systems (64 clients of one transfer, or a few of 1000), and a
 * transfer's latency is from its submission to the commit of the transaction holding its records.
 */
public final class KafkaLimit implements LoadTarget, AutoCloseable {
    public static final String TOPIC_PREFIX = "bench.limit.";

    private final KafkaClients kafka;
    private volatile LedgerRecords.Profile profile;
    private final List<Committer> committers = new ArrayList<>();
    private final Map<String, String> scratchTopics = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicInteger sessions = new AtomicInteger();

    /** The ledger's command-processor producer settings, shared with it; transactional.id comes on top. */
    public static Map<String, String> producerConfig() {
        var config = new LinkedHashMap<String, String>();
        ProcessorProducerSettings.producerConfig().forEach((key, value) -> config.put(key, String.valueOf(value)));
        return config;
    }

    public KafkaLimit(KafkaClients kafka, LedgerRecords.Profile profile, int producers) {
        this(kafka, profile, producers, Map.of());
    }

    /** @param overrides producer settings on top of {@link #producerConfig()}, for experiments */
    public KafkaLimit(KafkaClients kafka, LedgerRecords.Profile profile, int producers, Map<String, String> overrides) {
        if (producers < 1) throw new IllegalArgumentException("at least one producer");
        this.kafka = kafka;
        replay(profile);
        try {
            for (int i = 0; i < producers; i++) committers.add(new Committer(kafka, i, overrides));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * What the limit appends per transfer from now on: the bench gives it what the ledger wrote in the
     * scenario about to be measured (a batch of 1000 transfers writes fewer, larger records per transfer
     * than single requests do). Sessions opened afterwards use it.
     */
    public void replay(LedgerRecords.Profile profile) {
        this.profile = profile;
        createScratchTopics(kafka);
    }

    @Override
    public String name() {
        return "kafka-limit";
    }

    @Override
    public String label() {
        return "Kafka limit (raw appends)";
    }

    @Override
    public String description(Scenario scenario) {
        return String.format("%.2f records (%.0f B) per transfer, as the ledger wrote them, appended to %d scratch topics "
                        + "by %d transactional producer(s) with the ledger's producer settings, group commit; latency = submit to commit",
                profile.recordsPerTransfer(), profile.summary().bytesPerTransfer(), profile.topics().size(),
                committers.size());
    }

    @Override
    public Session openSession() {
        LedgerRecords.Profile profile = this.profile;
        Committer committer = committers.get(Math.floorMod(sessions.getAndIncrement(), committers.size()));
        var accumulated = new double[profile.topics().size()];
        var cursor = new int[profile.topics().size()];
        return transfers -> {
            var records = new ArrayList<ProducerRecord<byte[], byte[]>>();
            for (Workload.Transfer t : transfers) {
                int accountTurn = 0;
                for (int i = 0; i < profile.topics().size(); i++) {
                    LedgerRecords.TopicTemplates topic = profile.topics().get(i);
                    accumulated[i] += topic.recordsPerTransfer();
                    int count = (int) accumulated[i];
                    accumulated[i] -= count;
                    String target = scratchTopics.get(topic.topic());
                    for (int k = 0; k < count; k++) {
                        LedgerRecords.Template template = topic.templates().get(cursor[i]++ % topic.templates().size());
                        String key = switch (template.role()) {
                            case TRANSFER -> t.id();
                            case TRANSFER_WITH_SUFFIX -> t.id() + template.key();
                            case ACCOUNT -> (accountTurn++ % 2 == 0) ? t.debit() : t.credit();
                            case LITERAL -> template.key();
                        };
                        records.add(new ProducerRecord<>(target, null, null,
                                key == null ? null : key.getBytes(StandardCharsets.UTF_8), template.value(),
                                List.of(template.headers())));
                    }
                }
            }
            var submission = new Submission(records, new CompletableFuture<>());
            committer.queue.put(submission);
            long committedAt = submission.committed.get();
            return new Outcome(transfers.size(), 0, 0, committedAt);
        };
    }

    private synchronized void createScratchTopics(KafkaClients kafka) {
        try (Admin admin = kafka.createAdmin("bench-limit")) {
            Set<String> existing = admin.listTopics().names().get();
            var create = new ArrayList<NewTopic>();
            for (LedgerRecords.TopicTemplates topic : profile.topics()) {
                String name = TOPIC_PREFIX + topic.topic();
                scratchTopics.put(topic.topic(), name);
                if (!existing.contains(name)) create.add(new NewTopic(name, topic.partitions(), (short) 1));
            }
            try {
                admin.createTopics(create).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not create the limit's scratch topics", e.getCause());
        }
    }

    private record Submission(List<ProducerRecord<byte[], byte[]>> records, CompletableFuture<Long> committed) {
    }

    /** One transactional producer and the thread that group-commits for it. */
    private static final class Committer {
        private final BlockingQueue<Submission> queue = new LinkedBlockingQueue<>();
        private final KafkaProducer<byte[], byte[]> producer;
        private final Thread thread;
        private volatile boolean running = true;

        Committer(KafkaClients kafka, int index, Map<String, String> overrides) {
            var props = kafka.producer("bench-limit-" + index);
            props.putAll(producerConfig());
            props.putAll(overrides);
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-limit-" + index + "-" + UUID.randomUUID());
            props.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-limit-" + index);
            producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
            producer.initTransactions();
            thread = Thread.ofPlatform().name("bench-limit-committer-" + index).daemon().start(this::run);
        }

        private void run() {
            var group = new ArrayList<Submission>();
            while (running) {
                try {
                    Submission first = queue.poll(50, TimeUnit.MILLISECONDS);
                    if (first == null) continue;
                    group.add(first);
                    queue.drainTo(group);
                    commit(group);
                } catch (InterruptedException e) {
                    break;
                } finally {
                    group.clear();
                }
            }
            Submission left;
            while ((left = queue.poll()) != null) left.committed.completeExceptionally(new IllegalStateException("closed"));
        }

        private void commit(List<Submission> group) {
            try {
                producer.beginTransaction();
                for (Submission s : group) {
                    for (ProducerRecord<byte[], byte[]> r : s.records) producer.send(r);
                }
                producer.commitTransaction();
                long now = System.nanoTime();
                group.forEach(s -> s.committed.complete(now));
            } catch (KafkaException e) {
                try {
                    producer.abortTransaction();
                } catch (KafkaException ignored) {
                    // fatal (fenced): the next beginTransaction fails too, and says so
                }
                group.forEach(s -> s.committed.completeExceptionally(e));
            }
        }

        void close() {
            running = false;
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            producer.close(java.time.Duration.ofSeconds(5));
        }
    }

    @Override
    public void close() {
        committers.forEach(Committer::close);
    }
}
