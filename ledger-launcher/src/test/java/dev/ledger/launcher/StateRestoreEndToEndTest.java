package dev.ledger.launcher;

import dev.ledger.command.LedgerCommandProcessor;

import dev.ledger.audit.AuditOptions;
import dev.ledger.audit.HistoryGenerator;
import dev.ledger.audit.LedgerAudit;
import dev.ledger.audit.LedgerReplay;
import dev.ledger.command.LedgerCommandProcessor;
import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.domain.account.AccountEvent.FundsReserved;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.kafka.AggregatePartitions;
import dev.ledger.kafka.CommandRecords;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.HashChain;
import dev.ledger.kafka.KafkaClients;
import dev.ledger.kafka.LedgerJson;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command processor keeps no second copy of its aggregates in changelogs: each task rebuilds
 * them from its partition of the event log. What a user would check after a restart, with the
 * processor's state directory kept and with it lost: the ledger decides exactly as before (every
 * customer can spend exactly its balance and not one unit more, a retried transfer gets its first
 * answer, new transfers settle), and the log still audits clean. And what the log cannot be trusted
 * with: an event another producer wrote there, and a refused step replayed, change nothing.
 */
class StateRestoreEndToEndTest {
    private static final int CUSTOMERS = 12;
    private static final int TRANSFERS = 300;
    private static final long HISTORY_EVENTS = Long.getLong("ledger.restore.history.events", 20_000);
    private static final int HISTORY_CUSTOMERS = 40;
    /** Restores in well over {@link #SHORT_TRANSACTION_TIMEOUT_MS} on these machines (about 30,000 events/s). */
    private static final long LONG_HISTORY_EVENTS = 300_000;
    private static final int SHORT_TRANSACTION_TIMEOUT_MS = 2_000;

    @ParameterizedTest(name = "state directory wiped: {0}")
    @ValueSource(booleans = {false, true})
    void a_restarted_processor_decides_as_before_and_goes_on(boolean wipeState) throws Exception {
        try (var ledger = LedgerHarness.start("restore")) {
            var workload = openAndFund(ledger, CUSTOMERS);
            workload.run(TRANSFERS, 8);
            // transfers with keys kept here, to be retried after the restart: some complete, some are refused
            Map<String, TransferWorkload.Answer> firstAnswers = new HashMap<>();
            Map<String, String> keys = new HashMap<>();
            for (int i = 0; i < 20; i++) {
                String id = "kept-" + i;
                String key = UUID.randomUUID().toString();
                keys.put(id, key);
                firstAnswers.put(id, workload.submit(id, key, workload.customers().get(i % CUSTOMERS), TransferWorkload.SETTLEMENT,
                        i % 2 == 0 ? 1 : 10 * TransferWorkload.DEPOSIT_MAX));
            }
            assertThat(firstAnswers.values()).extracting(TransferWorkload.Answer::status).contains(201, 422);
            LedgerChecks.settledReplay(ledger::committedEvents);

            if (wipeState) ledger.restartWithProcessorStateWiped();
            else ledger.restart();

            firstAnswers.forEach((id, first) -> {
                var retry = workload.send(new TransferWorkload.Request(keys.get(id), TransferWorkload.transferBody(id,
                        workload.parties.get(id)[0], workload.parties.get(id)[1], workload.amounts.get(id))));
                assertThat(retry.status()).as(id + " retried after the restart").isEqualTo(first.status());
                assertThat(retry.header("Idempotent-Replayed")).as(id).isEqualTo("true");
            });
            spendExactlyEachBalance(ledger, workload); // new transfers after the restart, each settled

            var replay = LedgerChecks.settledReplay(ledger::committedEvents);
            LedgerChecks.verify(workload, ledger.committedEvents(), replay, List.of(Instant.now()), ledger.config());
            AuditFixtures.assertPassed(LedgerAudit.run(ledger.config(), AuditOptions.defaults().withThreads(2)));
        }
    }

    @Test
    void an_event_another_producer_wrote_to_the_log_is_skipped_on_restore_and_moves_no_money() throws Exception {
        try (var ledger = LedgerHarness.start("restore-forged")) {
            var workload = openAndFund(ledger, 2);
            LedgerReplay before = LedgerChecks.settledReplay(ledger::committedEvents);
            String victim = workload.customers().getFirst();
            long seq = before.accounts().get(victim).version();
            // a valid envelope, the next seq, a link not made with the ledger key
            var forged = new EventEnvelope(UUID.randomUUID().toString(), "AccountCredited", LedgerJson.SCHEMA_VERSION,
                    victim, seq + 1, Instant.now(), "forged", "forged-t", "forged",
                    new AccountCredited(victim, "forged-t", 1_000_000, TransferWorkload.SETTLEMENT));
            byte[] link = new byte[HashChain.HASH_BYTES];
            new SecureRandom().nextBytes(link);
            var clients = KafkaClients.of(ledger.config());
            try (var producer = new KafkaProducer<>(clients.producer("forger"), new StringSerializer(), new ByteArraySerializer())) {
                var record = new ProducerRecord<String, byte[]>(ledger.config().topics().events(), victim,
                        LedgerJson.writeEvent(forged));
                record.headers().add(HashChain.HEADER, link);
                producer.send(record).get();
            }

            ledger.restartWithProcessorStateWiped();

            spendExactlyEachBalance(ledger, workload, before);
            // at least once: a task (re)initialised by a rebalance restores again
            assertThat(skippedOnRestore(ledger)).as("the forged event, counted").isGreaterThanOrEqualTo(1.0);
        }
    }

    @Test
    void a_refused_step_replayed_after_a_restart_changes_nothing() throws Exception {
        // every hop through the commands topic, as between instances: on one instance the reservation
        // would be applied at once, with no record to replay
        try (var ledger = LedgerHarness.start("restore-refused", Map.of(LedgerCommandProcessor.STEPS_ACROSS_TASKS, false))) {
            var workload = openAndFund(ledger, 2);
            TransferInvariantTest.open(ledger, "poor", false);
            // a transfer on another partition than the account: its reservation travels as a record
            var partitions = new AggregatePartitions(ledger.config().partitions());
            String transferId = IntStream.range(0, 100).mapToObj(i -> "refused-" + i)
                    .filter(id -> partitions.partitionOf(id) != partitions.partitionOf("poor")).findFirst().orElseThrow();
            var refused = workload.submit(transferId, UUID.randomUUID().toString(), "poor", TransferWorkload.SETTLEMENT, 500);
            assertThat(refused.status()).as("nothing to reserve on a new account").isEqualTo(422);
            ConsumerRecord<String, byte[]> reserve = commandRecordHolding(ledger, transferId + "/ReserveFunds");
            // now poor has the funds the refused reservation lacked
            assertThat(workload.submit("fund-poor", UUID.randomUUID().toString(), TransferWorkload.SETTLEMENT, "poor",
                    1_000).status()).isEqualTo(201);
            LedgerChecks.settledReplay(ledger::committedEvents);

            ledger.restartWithProcessorStateWiped();
            var clients = KafkaClients.of(ledger.config());
            try (var producer = new KafkaProducer<>(clients.producer("replayer"), new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(reserve.topic(), reserve.partition(), reserve.key(), reserve.value(),
                        reserve.headers())).get();
            }

            // the same account's next reservation comes after the replayed record on its partition
            var replay = spendExactlyEachBalance(ledger, workload);
            assertThat(ledger.committedEvents()).as("no reservation for the refused transfer")
                    .noneMatch(e -> e.event() instanceof FundsReserved f && f.transferId().equals(transferId));
            assertThat(replay.transfers().get(transferId)).isInstanceOf(TransferState.Rejected.class);
            LedgerChecks.verify(workload, ledger.committedEvents(), replay, List.of(), ledger.config());
        }
    }

    /**
     * A log as an existing deployment's begins, in every format the ledger ever wrote: first-format
     * records (one JSON event per record, its link in a header), then JSON batch frames, then batches of
     * binary events, each customer's chain running from JSON events into binary ones ({@link OldFormatLog};
     * the generator decides the history with the processor's own engine). Its accounts restore from it,
     * the ledger goes on writing binary batches after it, and the audit of all of it passes.
     * {@code -Dledger.restore.history.events=300000} measures the restore (one INFO line per task).
     */
    @Test
    void a_log_of_first_format_json_batch_and_binary_events_restores_and_the_ledger_goes_on_writing() {
        try (var ledger = LedgerHarness.start("restore-history")) {
            var config = ledger.config();
            String generated = config.topics().events() + ".generated";
            var history = HistoryGenerator.generate(KafkaClients.of(config), generated, config.partitions(),
                    config.keys(), HISTORY_EVENTS, HISTORY_CUSTOMERS, 7, written -> {
                    });
            assertThat(history.events()).isGreaterThanOrEqualTo(HISTORY_EVENTS);
            var formats = OldFormatLog.copy(config, generated, config.topics().events());
            assertThat(formats.values().stream().mapToLong(Integer::longValue).sum()).isEqualTo(history.events());
            assertThat(formats).containsOnlyKeys("FIRST", "JSON_BATCH", "BINARY_BATCH");

            ledger.restartWithProcessorStateWiped();
            var workload = new TransferWorkload(r -> ledger.post("/v1/transfers", r.key(), r.body(), "Prefer", "wait=20"),
                    HISTORY_CUSTOMERS, 11);
            var replay = spendExactlyEachBalance(ledger, workload);

            assertThat(workload.surprises).isEmpty();
            replay.accounts().forEach((id, state) -> {
                if (!id.equals(TransferWorkload.SETTLEMENT)) {
                    assertThat(LedgerReplay.balancesOf(state).balance()).as(id + " spent all").isZero();
                }
            });
            AuditFixtures.assertPassed(LedgerAudit.run(config, AuditOptions.defaults().withThreads(2)));
        }
    }

    /**
     * A history that takes longer to restore than a transaction may stay open, restored while every
     * partition has clients waiting. A restore that held the stream thread past the transaction timeout,
     * inside the transaction another task had opened in the same pass, would have it aborted: every task
     * of the thread would be revived and restore again, for ever. In slices, with the thread committing
     * in between, every payment settles. The transaction timeout is shortened so that a history of a
     * test's size takes longer to restore than it.
     */
    @Test
    void a_history_longer_to_restore_than_the_transaction_timeout_restores_while_clients_wait() {
        try (var ledger = LedgerHarness.start("restore-long", Map.of(
                StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), SHORT_TRANSACTION_TIMEOUT_MS))) {
            var config = ledger.config();
            HistoryGenerator.generate(KafkaClients.of(config), config.topics().events(), config.partitions(),
                    config.keys(), LONG_HISTORY_EVENTS, HISTORY_CUSTOMERS, 13, written -> {
                    });
            LedgerReplay history = LedgerChecks.settledReplay(ledger::committedEvents);

            ledger.restartWithProcessorStateWiped();
            var workload = new TransferWorkload(r -> ledger.post("/v1/transfers", r.key(), r.body(), "Prefer", "wait=60"),
                    HISTORY_CUSTOMERS, 11);
            // every customer is paid 1 at once, so that every partition has input in the thread's first pass
            Map<String, Integer> answers = new java.util.concurrent.ConcurrentHashMap<>();
            TransferWorkload.concurrently(workload.customers(), customer -> answers.put(customer,
                    workload.submit("pay-" + customer, UUID.randomUUID().toString(), TransferWorkload.SETTLEMENT,
                            customer, 1).status()));

            assertThat(answers).hasSize(HISTORY_CUSTOMERS);
            assertThat(answers.values()).as("every payment settled").containsOnly(201);
            var replay = LedgerChecks.settledReplay(ledger::committedEvents);
            workload.customers().forEach(customer -> assertThat(LedgerReplay.balancesOf(replay.accounts().get(customer))
                    .balance()).as(customer).isEqualTo(LedgerReplay.balancesOf(history.accounts().get(customer)).balance() + 1));
            AuditFixtures.assertPassed(LedgerAudit.run(config, AuditOptions.defaults().withThreads(2)));
        }
    }

    private static TransferWorkload openAndFund(LedgerHarness ledger, int customers) {
        var workload = new TransferWorkload(r -> ledger.post("/v1/transfers", r.key(), r.body(), "Prefer", "wait=20"),
                customers, 11);
        TransferInvariantTest.open(ledger, TransferWorkload.SETTLEMENT, true);
        TransferWorkload.concurrently(workload.customers(), id -> TransferInvariantTest.open(ledger, id, false));
        workload.deposits();
        return workload;
    }

    private static LedgerReplay spendExactlyEachBalance(LedgerHarness ledger, TransferWorkload workload) {
        return spendExactlyEachBalance(ledger, workload, LedgerChecks.settledReplay(ledger::committedEvents));
    }

    /**
     * Every customer account (no overdraft) spends exactly what the log says it holds, then one unit
     * more: the first completes and the second is refused only if the processor's balance is exact.
     */
    private static LedgerReplay spendExactlyEachBalance(LedgerHarness ledger, TransferWorkload workload, LedgerReplay replay) {
        List<String> spenders = new ArrayList<>(replay.accounts().keySet());
        spenders.remove(TransferWorkload.SETTLEMENT);
        for (String account : spenders) {
            long balance = LedgerReplay.balancesOf(replay.accounts().get(account)).balance();
            assertThat(LedgerReplay.balancesOf(replay.accounts().get(account)).debitsPending()).isZero();
            if (balance > 0) {
                var all = workload.submit("all-" + account, UUID.randomUUID().toString(), account,
                        TransferWorkload.SETTLEMENT, balance);
                assertThat(all.status()).as(account + " spends its whole balance " + balance).isEqualTo(201);
            }
            var more = workload.submit("more-" + account, UUID.randomUUID().toString(), account,
                    TransferWorkload.SETTLEMENT, 1);
            assertThat(more.status()).as(account + " spends one unit more than it had").isEqualTo(422);
        }
        return LedgerChecks.settledReplay(ledger::committedEvents);
    }

    /** The record of the commands topic that carries the step, as the processor sealed it. */
    private static ConsumerRecord<String, byte[]> commandRecordHolding(LedgerHarness ledger, String stepId) {
        var props = KafkaClients.of(ledger.config()).consumer("step-finder");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        String topic = ledger.config().topics().commands();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    boolean holds = CommandRecords.read(r.value()).stream().anyMatch(item ->
                            item instanceof CommandRecords.Readable c && c.envelope().commandId().equals(stepId));
                    if (holds) return r;
                }
            }
        }
        throw new AssertionError("no record of " + topic + " holds " + stepId);
    }

    private static double skippedOnRestore(LedgerHarness ledger) {
        return PrometheusText.sum(ledger.get("/metrics").body(), "ledger_command_restore_skipped_total", "");
    }
}
