package dev.ledger.audit;

import dev.ledger.domain.LedgerCommand;
import dev.ledger.domain.account.AccountCommand;
import dev.ledger.domain.transfer.TransferCommand.InitiateTransfer;
import dev.ledger.domain.transfer.TransferRequest;
import dev.ledger.kafka.CommandEngine;
import dev.ledger.kafka.CommandEnvelope;
import dev.ledger.kafka.CommandResult;
import dev.ledger.kafka.HashChain;
import dev.ledger.kafka.KafkaClients;
import dev.ledger.kafka.LedgerJson;
import dev.ledger.kafka.LedgerKeys;
import dev.ledger.kafka.MemoryState;
import dev.ledger.kafka.ProcessorProducerSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Queue;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;

/**
 * Writes a synthetic but valid history for measuring the audit: accounts opened, funded from a
 * settlement account, then random transfers between customers (some refused for lack of funds), each
 * decided by the domain's own deciders exactly as the command processor would. Half the transfers are
 * settled whole, as a single instance that runs every partition settles them; the other half run the
 * saga hop by hop, each hop a round trip, as between instances (a transfer's id picks its half), so a
 * history holds both kinds of transfer the audit must prove. Same envelopes, same event ids, same event
 * bytes (the engine's: binary), same hash chains with the given key, keyed by aggregate, one event per
 * record with its link in a header, in Kafka transactions. Much faster than the real ledger (no HTTP, no
 * Streams, its hops queued in memory rather than sent through Kafka), so that a history of millions of
 * events takes a minute rather than an hour. Not a test and not a load test: a fixture for the audit's
 * benchmark.
 */
public final class HistoryGenerator implements AutoCloseable {
    public static final String SETTLEMENT = "settlement";
    private static final Currency EUR = Currency.getInstance("EUR");
    private static final long DEPOSIT = 1_000_000;
    private static final int EVENTS_PER_TRANSACTION = 50_000;

    /** What was written. */
    public record Summary(long events, long transfers, int accounts, long millis) {
    }

    /** Where the generated records go: a Kafka topic, or a list in a test. */
    interface Sink extends AutoCloseable {
        void write(String key, long timestampMs, byte[] value, byte[] hash);

        /** Called every {@value #EVENTS_PER_TRANSACTION} events and at the end. */
        default void commit() {
        }

        @Override
        default void close() {
        }
    }

    private final Sink sink;
    private final CommandEngine engine;
    private final CommandEngine.State state = new MemoryState();
    private final CommandEngine.Output output = new SinkOutput();
    /** The saga's hops on their round trip, delivered once the command that sent them is decided. */
    private final Queue<CommandEnvelope> hops = new ArrayDeque<>();
    /** Whether the transfer being decided runs its saga hop by hop rather than being settled whole. */
    private boolean hopByHop;
    private long clockMs;
    private long events;
    private long inTransaction;

    /** @param signingKey the key the sink's records name (a Kafka sink writes its id in each record) */
    HistoryGenerator(Sink sink, byte[] signingKey, Instant start) {
        this.sink = sink;
        this.engine = new CommandEngine(signingKey, aggregateId -> !hopByHop);
        this.clockMs = start.toEpochMilli();
    }

    /** A transactional producer onto the topic: the records are read_committed-visible at each commit. */
    static Sink kafka(KafkaClients clients, String topic, LedgerKeys keys) {
        Properties props = clients.producer("ledger-history-generator");
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "ledger-history-generator-" + UUID.randomUUID());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 256L * 1024 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, ProcessorProducerSettings.COMPRESSION); // as the command processor writes
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        producer.initTransactions();
        producer.beginTransaction();
        return new Sink() {
            @Override
            public void write(String key, long timestampMs, byte[] value, byte[] hash) {
                producer.send(new ProducerRecord<>(topic, null, timestampMs, key, value,
                        keys.sign(new RecordHeaders().add(HashChain.HEADER, hash))));
            }

            @Override
            public void commit() {
                producer.commitTransaction();
                producer.beginTransaction();
            }

            @Override
            public void close() {
                producer.close(); // aborts the empty transaction begun by the last commit
            }
        };
    }

    /**
     * Creates the topic when it is missing, then writes at least {@code targetEvents} events to it.
     *
     * @param customers customer accounts besides the settlement account
     * @param progress  told the number of events written so far, now and then
     */
    public static Summary generate(KafkaClients clients, String topic, int partitions, LedgerKeys keys,
                                   long targetEvents, int customers, long seed, LongConsumer progress) {
        long start = System.nanoTime();
        createTopic(clients, topic, partitions);
        long transfers = 0;
        try (var generator = new HistoryGenerator(kafka(clients, topic, keys), keys.signingKey(),
                Instant.now().minusSeconds(targetEvents / 1000 + 3600))) {
            Random random = new Random(seed);
            List<String> ids = new ArrayList<>();
            generator.open(SETTLEMENT, true);
            for (int i = 0; i < customers; i++) {
                String id = "cust-" + i;
                ids.add(id);
                generator.open(id, false);
            }
            for (String id : ids) generator.transfer("dep-" + id, SETTLEMENT, id, DEPOSIT);
            while (generator.events < targetEvents) {
                String debit = ids.get(random.nextInt(ids.size()));
                String credit = ids.get(random.nextInt(ids.size()));
                if (debit.equals(credit)) credit = SETTLEMENT;
                generator.transfer("t-" + transfers++, debit, credit, 1 + random.nextInt(200_000));
                if (transfers % 10_000 == 0) progress.accept(generator.events);
            }
            generator.commit();
            progress.accept(generator.events);
            return new Summary(generator.events, transfers + customers, customers + 1,
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    /** Kept forever like the ledger's own event topic; an existing topic is used as it is. */
    static void createTopic(KafkaClients clients, String topic, int partitions) {
        try (Admin admin = clients.createAdmin("ledger-history-generator")) {
            short copies = clients.settings().replicationFactor();
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.of(copies))
                    .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1", TopicConfig.RETENTION_BYTES_CONFIG, "-1"))))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + topic, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + topic, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not create " + topic + " in time", e);
        }
    }

    void open(String id, boolean unlimited) {
        submit(new AccountCommand.OpenAccount(id, EUR, 0, unlimited, Map.of()), "open-" + id);
    }

    void transfer(String id, String debit, String credit, long amount) {
        clockMs++;
        hopByHop = Math.floorMod(id.hashCode(), 2) == 1;
        submit(new InitiateTransfer(new TransferRequest(id, debit, credit, amount, EUR, "generated", Map.of())),
                "initiate-" + id);
        hopByHop = false;
    }

    /** Decides the command and every step it causes: at once, or hop after hop, as the processor would. */
    private void submit(LedgerCommand command, String commandId) {
        engine.decide(new CommandEnvelope(commandId, LedgerJson.typeName(command), Instant.ofEpochMilli(clockMs),
                command.aggregateId(), commandId, command), clockMs, state, output);
        while (!hops.isEmpty()) engine.decide(hops.poll(), clockMs, state, output);
    }

    /** Every event the engine decides goes to the sink, committed every EVENTS_PER_TRANSACTION. */
    private final class SinkOutput implements CommandEngine.Output {
        @Override
        public void event(String aggregateId, long timestampMs, byte[] value, byte[] hash) {
            sink.write(aggregateId, timestampMs, value, hash);
            events++;
            if (++inTransaction >= EVENTS_PER_TRANSACTION) commit();
        }

        @Override
        public void command(CommandEnvelope step, long timestampMs) {
            hops.add(step);
        }

        @Override
        public void result(CommandResult result) {
            // nobody waits for an answer
        }
    }

    void commit() {
        sink.commit();
        inTransaction = 0;
    }

    long events() {
        return events;
    }

    /** Moves the generator's clock: the next events are stamped this much later. */
    void advance(long millis) {
        clockMs += millis;
    }

    @Override
    public void close() {
        sink.close();
    }
}
