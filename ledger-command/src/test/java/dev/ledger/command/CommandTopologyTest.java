package dev.ledger.command;

import dev.ledger.domain.LedgerCommand;
import dev.ledger.domain.Outcome.Status;
import dev.ledger.domain.Reason;
import dev.ledger.domain.account.AccountCommand.OpenAccount;
import dev.ledger.domain.account.AccountCommand.CreditAccount;
import dev.ledger.domain.transfer.TransferCommand.InitiateTransfer;
import dev.ledger.domain.transfer.TransferRequest;
import dev.ledger.kafka.EventCodec;
import dev.ledger.kafka.Aggregate;
import dev.ledger.kafka.AggregatePartitions;
import dev.ledger.kafka.CommandRecords;
import dev.ledger.kafka.EventRecords;
import dev.ledger.kafka.ResultRecords;
import dev.ledger.kafka.CommandEnvelope;
import dev.ledger.kafka.CommandResult;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.HashChain;
import dev.ledger.kafka.LedgerKeys;
import dev.ledger.kafka.HopSeal;
import dev.ledger.kafka.LedgerJson;
import dev.ledger.kafka.LedgerTopics;
import dev.ledger.kafka.TopicNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.test.TestRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The saga's whole flow through the real topology. TopologyTestDriver runs one task on one
 * partition: it proves the flow and the records written, not partition ownership (the
 * integration tests on a real broker do that). The saga's follow-up commands are piped back by
 * hand, as the broker would deliver them.
 *
 * <p>The driver's task is partition 0, and the processor refuses a command whose aggregate lives on
 * another partition, so every id these tests send lives on partition 0. The saga-path tests turn the
 * fast paths off ({@link LedgerCommandProcessor#STEPS_IN_PARTITION}), so every hop takes the round
 * trip through the commands topic; the fast-path tests restart the driver with them on.
 *
 * <p>The task restores its state from the events topic as the test collected it ({@link #readLog}); a
 * new driver is a restart with the state directory lost (the driver wipes it on close), so the
 * changelogged marks of steps that wrote no event are lost too: the integration tests restart with
 * the changelog restored.
 */
class CommandTopologyTest {
    private static final byte[] KEY = "test-ledger-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final Currency EUR = Currency.getInstance("EUR");
    private final LedgerTopics topics = new LedgerTopics(TopicNames.DEFAULT);
    private final ProcessorMeters meters = ProcessorMeters.register(new SimpleMeterRegistry());
    @TempDir
    Path stateDir;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> commandsIn;
    private TestOutputTopic<String, byte[]> commandsOut;
    private TestOutputTopic<String, byte[]> eventsOut;
    private TestOutputTopic<String, byte[]> resultsOut;
    private TestOutputTopic<String, byte[]> deadLettersOut;
    private final List<TestRecord<String, byte[]>> events = new ArrayList<>();
    private final List<CommandResult> results = new ArrayList<>();
    /** The saga's follow-ups as the processor wrote them (with their seals), in the order they were delivered. */
    private final List<TestRecord<String, byte[]>> delivered = new ArrayList<>();

    private int partitions;
    /** Whether every saga step takes the round trip through the commands topic (no fast path). */
    private boolean hopsThroughTopic;

    @BeforeEach
    void startDriver() {
        startDriver(1, true);
    }

    /** With the fast paths on. */
    private void startDriver(int partitions) {
        startDriver(partitions, false);
    }

    /** A restart as it was: the driver wipes the state directory, nothing is left but the log. */
    private void restartDriver() {
        startDriver(partitions, hopsThroughTopic);
    }

    private void startDriver(int partitions, boolean hopsThroughTopic) {
        if (driver != null) driver.close();
        this.partitions = partitions;
        this.hopsThroughTopic = hopsThroughTopic;
        var props = new Properties();
        if (hopsThroughTopic) props.put(LedgerCommandProcessor.STEPS_IN_PARTITION, false);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "command-topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(CommandTopology.build(topics, LedgerKeys.single(KEY), meters, partitions, EventLog.whole(this::readLog)), props);
        var strings = Serdes.String();
        var bytes = Serdes.ByteArray();
        commandsIn = driver.createInputTopic(topics.commands().name(), strings.serializer(), bytes.serializer());
        commandsOut = driver.createOutputTopic(topics.commands().name(), strings.deserializer(), bytes.deserializer());
        eventsOut = driver.createOutputTopic(topics.events().name(), strings.deserializer(), bytes.deserializer());
        resultsOut = driver.createOutputTopic(topics.results().name(), strings.deserializer(), bytes.deserializer());
        deadLettersOut = driver.createOutputTopic(topics.deadLetters().name(), strings.deserializer(), bytes.deserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void a_transfer_runs_the_whole_saga_and_completes() {
        // given
        send(open("bank", true, 0));
        send(open("alice", false, 0));
        // when
        String commandId = send(transfer("t-1", "bank", "alice", 2500));
        // then
        assertThat(eventTypes()).containsExactly("AccountOpened", "AccountOpened", "TransferInitiated",
                "FundsReserved", "AccountCredited", "ReservationCaptured", "TransferCompleted");
        CommandResult last = results.getLast();
        assertThat(last.commandId()).as("the final outcome answers the client's command").isEqualTo(commandId);
        assertThat(last.outcome().status()).isEqualTo(Status.COMPLETED);
        assertThat(last.outcome().position()).containsEntry("bank", 3L).containsEntry("alice", 2L)
                .containsEntry("transfer/t-1", 2L);
    }

    @Test
    void the_caller_is_answered_once_the_credit_applied_with_a_position_covering_the_capture_on_its_way() {
        send(open("bank", true, 0));
        send(open("alice", false, 0));

        String commandId = send(transfer("t-1", "bank", "alice", 2500));

        List<CommandResult> answers = results.stream().filter(r -> r.commandId().equals(commandId)).toList();
        assertThat(answers).as("the credit's answer, then the settled transfer's").hasSize(2);
        CommandResult early = answers.getFirst();
        assertThat(early.outcome().status()).isEqualTo(Status.COMPLETED);
        assertThat(early.aggregateId()).as("keyed by the transfer, for retries waiting on it").isEqualTo("t-1");
        assertThat(early.outcome().position()).containsOnly(Map.entry("alice", 2L),
                Map.entry(CommandResult.movementPositionKey("bank", "t-1"), 1L), Map.entry("transfer/t-1", 2L));
        assertThat(answers.getLast().outcome().position()).as("the settled transfer's seq, as the early answer said")
                .containsEntry("transfer/t-1", early.outcome().position().get("transfer/t-1"));
    }

    @Test
    void every_aggregate_history_is_a_gapless_hash_chain_under_the_ledger_key() {
        send(open("bank", true, 0));
        send(open("alice", false, 0));
        send(transfer("t-1", "bank", "alice", 100));
        send(transfer("t-2", "bank", "alice", 200));

        Map<String, byte[]> lastHash = new HashMap<>();
        Map<String, Long> lastSeq = new HashMap<>();
        HashChain chain = new HashChain(KEY);
        for (var record : events) {
            for (EventRecords.Stored stored : EventRecords.read(record.key(), record.value(), record.headers())) {
                EventEnvelope event = EventCodec.read(stored.value());
                String id = event.aggregateId();
                assertThat(chain.verifies(lastHash.getOrDefault(id, HashChain.GENESIS), stored.value(), stored.hash()))
                        .as("hash of %s seq %d", id, event.seq()).isTrue();
                assertThat(event.seq()).isEqualTo(lastSeq.getOrDefault(id, 0L) + 1);
                assertThat(record.timestamp()).isEqualTo(event.occurredAt().toEpochMilli());
                lastHash.put(id, stored.hash());
                lastSeq.put(id, event.seq());
            }
        }
        assertThat(lastSeq).containsEntry("bank", 5L).containsEntry("alice", 3L);
    }

    @Test
    void a_debit_beyond_available_funds_is_rejected_without_touching_either_account() {
        send(open("alice", false, 100));
        send(open("bob", false, 0));

        send(transfer("t-1", "alice", "bob", 101));

        assertThat(eventTypes()).containsExactly("AccountOpened", "AccountOpened", "TransferInitiated", "TransferRejected");
        assertThat(results.getLast().outcome().status()).isEqualTo(Status.REJECTED);
        assertThat(results.getLast().outcome().reason()).isEqualTo(Reason.INSUFFICIENT_FUNDS);
        assertThat(results.getLast().outcome().position()).as("no account touched; the transfer itself recorded")
                .containsOnlyKeys("transfer/t-1");
    }

    @Test
    void a_refused_credit_releases_the_hold_and_rejects_the_transfer() {
        send(open("bank", true, 0));
        send(new OpenAccount("usd-account", Currency.getInstance("USD"), 0, false, Map.of()));

        send(new InitiateTransfer(new TransferRequest("t-1", "bank", "usd-account", 5, EUR, null, Map.of())));

        assertThat(eventTypes()).containsExactly("AccountOpened", "AccountOpened", "TransferInitiated",
                "FundsReserved", "ReservationReleased", "TransferRejected");
        assertThat(results.getLast().outcome().reason()).isEqualTo(Reason.CURRENCY_MISMATCH);
        assertThat(results.getLast().outcome().position()).containsEntry("bank", 3L);
    }

    @Test
    void a_retried_transfer_is_answered_from_its_state_and_appends_nothing() {
        send(open("bank", true, 0));
        send(open("alice", false, 0));
        send(transfer("t-1", "bank", "alice", 100));
        int eventsBefore = events.size();

        String retryId = send(transfer("t-1", "bank", "alice", 100));
        send(transfer("t-1", "bank", "alice", 999));

        assertThat(events).hasSize(eventsBefore);
        CommandResult replay = results.get(results.size() - 2);
        assertThat(replay.commandId()).isEqualTo(retryId);
        assertThat(replay.outcome().status()).isEqualTo(Status.COMPLETED);
        assertThat(replay.outcome().replayed()).isTrue();
        assertThat(results.getLast().outcome().status()).isEqualTo(Status.CONFLICT);
    }

    @Test
    void a_repeated_saga_hop_is_skipped() {
        send(open("bank", true, 0));
        send(open("alice", false, 0));
        send(transfer("t-1", "bank", "alice", 100));
        int eventsBefore = events.size();

        // the processor's own ReserveFunds again, as a redelivery would bring it: sealed, one id per transfer and step
        var reserve = delivered.stream().filter(r -> CommandRecords.read(r.value()).stream().anyMatch(item ->
                        item instanceof CommandRecords.Readable c && c.envelope().type().equals("ReserveFunds")))
                .findFirst().orElseThrow();
        commandsIn.pipeInput(reserve);
        collect();

        assertThat(events).hasSize(eventsBefore);
        assertThat(commandsOut.isEmpty()).isTrue();
        assertThat(deadLettersOut.isEmpty()).as("a sealed hop is the ledger's own").isTrue();
    }

    @Test
    void a_restarted_task_rebuilds_its_state_from_the_event_log_and_answers_as_before() {
        send(open("bank", true, 0));
        send(open("alice", false, 0));
        send(transfer("t-1", "bank", "alice", 100));
        CommandResult completed = results.getLast();
        send(transfer("t-2", "alice", "bank", 1_000));
        CommandResult rejected = results.getLast();
        send(transfer("t-3", "alice", "bank", 40));
        Map<String, String> before = stores();

        restartDriver();
        String retryId = send(transfer("t-1", "bank", "alice", 100));

        assertThat(stores()).as("every account, transfer and hash link as before").isEqualTo(before);
        assertThat(results.getLast().commandId()).isEqualTo(retryId);
        assertThat(results.getLast().outcome().status()).isEqualTo(Status.COMPLETED);
        assertThat(results.getLast().outcome().replayed()).isTrue();
        assertThat(results.getLast().outcome().position()).isEqualTo(completed.outcome().position());
        send(transfer("t-2", "alice", "bank", 1_000));
        assertThat(results.getLast().outcome().status()).isEqualTo(Status.REJECTED);
        assertThat(results.getLast().outcome().reason()).isEqualTo(rejected.outcome().reason());
        assertThat(results.getLast().outcome().replayed()).isTrue();
        assertThat(meters.restoreSkipped().count()).isZero();

        String next = send(transfer("t-5", "bank", "alice", 5));
        assertThat(results.getLast().commandId()).as("the transfer's outcome answers its client command").isEqualTo(next);
        assertThat(results.getLast().outcome().status()).isEqualTo(Status.COMPLETED);
        assertThat(results.getLast().outcome().position()).containsEntry("alice", 5L).containsEntry("bank", 6L);
        assertChainsVerify();
    }

    /**
     * A log as an upgraded deployment holds it: its first events JSON (records of one event, the first
     * format), the later ones binary (a batch), so the bank's and the transfer's chains each run from
     * JSON events into binary ones. The task restores from it and decides exactly as before.
     */
    @Test
    void a_log_whose_first_events_are_json_and_later_ones_binary_restores_as_one_chain_per_aggregate() {
        send(open("bank", true, 0));
        send(open("alice", false, 0));
        send(transfer("t-1", "bank", "alice", 100));
        send(transfer("t-3", "alice", "bank", 40));
        List<String> formats = rewriteLogAsJsonThenBinary();
        assertThat(formats).startsWith("json", "json").endsWith("binary", "binary");

        startDriver(partitions);
        send(transfer("t-1", "bank", "alice", 100));
        assertThat(results.getLast().outcome().status()).isEqualTo(Status.COMPLETED);
        assertThat(results.getLast().outcome().replayed()).as("the retry is answered from the restored transfer").isTrue();
        send(transfer("t-6", "alice", "bank", 61));
        assertThat(results.getLast().outcome().status()).as("alice holds 60, not one unit more").isEqualTo(Status.REJECTED);
        send(transfer("t-7", "alice", "bank", 60));
        assertThat(results.getLast().outcome().status()).isEqualTo(Status.COMPLETED);
        assertThat(meters.restoreSkipped().count()).isZero();
        assertChainsVerify();
    }

    /**
     * The log so far with its first half of events written again as JSON, one per record with its link
     * in the header, and the rest as binary events in one batch; every chain linked again over those bytes.
     *
     * @return each event's format, in log order
     */
    private List<String> rewriteLogAsJsonThenBinary() {
        List<EventEnvelope> all = events.stream().flatMap(r -> EventRecords.decode(r.key(), r.value(), r.headers()).stream())
                .toList();
        events.clear();
        var chain = new HashChain(KEY);
        Map<String, byte[]> lastHash = new HashMap<>();
        var batch = new ArrayList<EventRecords.Stored>();
        var formats = new ArrayList<String>();
        for (int i = 0; i < all.size(); i++) {
            EventEnvelope event = all.get(i);
            boolean json = i < all.size() / 2;
            byte[] bytes = json ? LedgerJson.writeEvent(event) : EventCodec.write(event);
            byte[] hash = chain.next(lastHash.getOrDefault(event.aggregateId(), HashChain.GENESIS), bytes);
            lastHash.put(event.aggregateId(), hash);
            formats.add(EventCodec.isBinary(bytes) ? "binary" : "json");
            if (json) {
                events.add(new TestRecord<>(event.aggregateId(), bytes, new RecordHeaders().add(HashChain.HEADER, hash),
                        Instant.now()));
            } else {
                batch.add(new EventRecords.Stored(event.aggregateId(), bytes, hash));
            }
        }
        events.add(new TestRecord<>(batch.getFirst().key(), EventRecords.write(batch), new RecordHeaders(), Instant.now()));
        return formats;
    }

    @Test
    void after_a_restart_a_redelivered_step_that_wrote_an_event_is_recognised_from_the_log() {
        send(open("bank", true, 0));
        send(open("alice", false, 0));
        send(transfer("t-1", "bank", "alice", 100));
        var credit = delivered.stream().filter(r -> CommandRecords.read(r.value()).stream().anyMatch(item ->
                        item instanceof CommandRecords.Readable c && c.envelope().type().equals("CreditAccount")))
                .findFirst().orElseThrow();
        int eventsBefore = events.size();

        restartDriver();
        commandsIn.pipeInput(credit);
        collect();

        assertThat(events).as("no second credit").hasSize(eventsBefore);
        assertThat(commandsOut.isEmpty()).isTrue();
    }

    @Test
    void a_restore_skips_and_counts_events_the_ledger_did_not_write_and_records_it_cannot_read() {
        send(open("bank", true, 0));
        send(open("alice", false, 0));
        send(transfer("t-1", "bank", "alice", 100));
        Map<String, String> before = stores();
        // another producer's records: a credit with a valid envelope and a link not made with the ledger key,
        // the same as a batch, a copy of alice's first event, and bytes that are no event record at all
        var forged = new EventEnvelope(UUID.randomUUID().toString(), "AccountCredited", 1, "alice", 3, Instant.now(),
                "forged", "t-9", "forged", new dev.ledger.domain.account.AccountEvent.AccountCredited("alice", "t-9",
                1_000_000, "bank"));
        byte[] forgedBytes = LedgerJson.writeEvent(forged);
        byte[] otherKeysLink = new HashChain("not the ledger's key, 32 bytes..".getBytes(StandardCharsets.UTF_8))
                .next(HashChain.GENESIS, forgedBytes);
        events.add(new TestRecord<>("alice", forgedBytes, new RecordHeaders().add(HashChain.HEADER, otherKeysLink),
                Instant.now()));
        events.add(new TestRecord<>("alice", EventRecords.write(List.of(new EventRecords.Stored(null, forgedBytes,
                otherKeysLink))), new RecordHeaders(), Instant.now()));
        var aliceOpened = events.stream().filter(r -> EventRecords.decode(r.key(), r.value(), r.headers()).stream()
                .anyMatch(e -> e.aggregateId().equals("alice") && e.seq() == 1)).findFirst().orElseThrow();
        events.add(aliceOpened);
        events.add(new TestRecord<>("alice", new byte[]{0, 9, 1}, new RecordHeaders(), Instant.now()));

        restartDriver();
        send(open("carol", false, 0));

        assertThat(meters.restoreSkipped().count()).as("each forged event, the copy, the unreadable record").isEqualTo(4.0);
        Map<String, String> after = stores();
        after.remove("account carol");
        assertThat(after).as("nothing of them entered the state").isEqualTo(before);
    }

    @Test
    void a_saga_hop_the_ledger_did_not_seal_is_dead_lettered_and_moves_no_money() {
        send(open("bank", true, 0));
        send(open("alice", false, 0));
        var forged = new CreditAccount("alice", "no-such-transfer", 1_000_000, EUR, "bank", 2);
        byte[] bytes = LedgerJson.writeCommand(new CommandEnvelope("no-such-transfer/CreditAccount", "CreditAccount",
                Instant.now(), "no-such-transfer", "x", forged));
        byte[] otherKeysSeal = new HopSeal(LedgerKeys.single("not the ledger's key, 32 bytes..".getBytes(StandardCharsets.UTF_8)))
                .seal(bytes);

        commandsIn.pipeInput("alice", bytes);
        commandsIn.pipeInput(new TestRecord<>("alice", bytes, new RecordHeaders().add(HopSeal.HEADER, otherKeysSeal),
                Instant.now()));
        collect();

        assertThat(eventTypes()).containsExactly("AccountOpened", "AccountOpened");
        assertThat(deadLettersOut.readRecordsToList()).hasSize(2).allSatisfy(r -> assertThat(new String(
                r.headers().lastHeader(CommandProcessor.DEAD_LETTER_REASON_HEADER).value(), StandardCharsets.UTF_8))
                .isEqualTo(CommandProcessor.UNSEALED_HOP));
        assertThat(meters.deadLettered().count()).isEqualTo(2.0);
    }

    @Test
    void every_event_record_and_every_sealed_step_names_the_key_that_signed_it() {
        send(open("bank", true, 0));
        send(open("alice", false, 0));
        send(transfer("t-1", "bank", "alice", 100));

        assertThat(events).isNotEmpty().allSatisfy(r -> assertThat(keyIdHeader(r)).isEqualTo(LedgerKeys.DEFAULT_ID));
        assertThat(delivered).isNotEmpty().allSatisfy(r -> assertThat(keyIdHeader(r)).isEqualTo(LedgerKeys.DEFAULT_ID));
    }

    @Test
    void a_saga_hop_sealed_under_a_key_id_the_ring_does_not_hold_is_dead_lettered_naming_the_id() {
        send(open("bank", true, 0));
        send(open("alice", false, 0));
        var forged = new CreditAccount("alice", "no-such-transfer", 1_000_000, EUR, "bank", 2);
        byte[] bytes = LedgerJson.writeCommand(new CommandEnvelope("no-such-transfer/CreditAccount", "CreditAccount",
                Instant.now(), "no-such-transfer", "x", forged));
        var retired = new LedgerKeys(java.util.Map.of("retired-2025", "a key the ring no longer holds..".getBytes(
                StandardCharsets.UTF_8)), "retired-2025");

        commandsIn.pipeInput(new TestRecord<>("alice", bytes, retired.sign(new RecordHeaders().add(HopSeal.HEADER,
                new HopSeal(retired).seal(bytes))), Instant.now()));
        collect();

        assertThat(eventTypes()).containsExactly("AccountOpened", "AccountOpened");
        assertThat(deadLettersOut.readRecordsToList()).singleElement().satisfies(r -> assertThat(new String(
                r.headers().lastHeader(CommandProcessor.DEAD_LETTER_REASON_HEADER).value(), StandardCharsets.UTF_8))
                .isEqualTo(CommandProcessor.UNKNOWN_KEY + "'retired-2025'"));
    }

    @Test
    void an_unreadable_or_invalid_command_goes_to_the_dead_letter_topic_and_the_partition_goes_on() {
        commandsIn.pipeInput("alice", "{not json".getBytes(StandardCharsets.UTF_8));
        send(new OpenAccount("bad id!", EUR, 0, false, Map.of()));
        send(open("alice", false, 0));

        var deadLetters = deadLettersOut.readRecordsToList();
        assertThat(deadLetters).hasSize(2);
        assertThat(new String(deadLetters.get(0).headers().lastHeader(CommandProcessor.DEAD_LETTER_REASON_HEADER).value(),
                StandardCharsets.UTF_8)).contains("malformed JSON");
        assertThat(new String(deadLetters.get(1).headers().lastHeader(CommandProcessor.DEAD_LETTER_REASON_HEADER).value(),
                StandardCharsets.UTF_8)).contains("invalid accountId");
        assertThat(meters.deadLettered().count()).isEqualTo(2.0);
        assertThat(eventTypes()).containsExactly("AccountOpened");
        assertThat(meters.fetched().count()).as("the time to the decision, of the one command decided").isEqualTo(1);
    }

    @Test
    void a_batch_record_is_decided_command_by_command_and_a_bad_one_does_not_sink_its_neighbours() {
        startDriver(1);
        String good = UUID.randomUUID().toString();
        String rejected = UUID.randomUUID().toString();
        String invalid = UUID.randomUUID().toString();
        String later = UUID.randomUUID().toString();
        byte[] batch = CommandRecords.write(List.of(
                CommandEnvelope.fromClient(good, Instant.now(), open("bank", true, 0)),
                CommandEnvelope.fromClient(rejected, Instant.now(), open("bank", false, 5)),
                CommandEnvelope.fromClient(invalid, Instant.now(), new OpenAccount("bad id!", EUR, 0, false, Map.of())),
                CommandEnvelope.fromClient(later, Instant.now(), open("alice", false, 0))));

        commandsIn.pipeInput("bank", batch);
        collect();

        assertThat(eventTypes()).containsExactly("AccountOpened", "AccountOpened");
        assertThat(results).as("one record answers the batch, in order; the invalid one is dead-lettered")
                .extracting(CommandResult::commandId).containsExactly(good, rejected, later);
        assertThat(results.get(1).outcome().status()).isEqualTo(Status.CONFLICT);
        var deadLetters = deadLettersOut.readRecordsToList();
        assertThat(deadLetters).hasSize(1);
        assertThat(CommandRecords.read(deadLetters.getFirst().value())).as("the dead letter is the bad command alone")
                .singleElement().isInstanceOfSatisfying(CommandRecords.Readable.class,
                        r -> assertThat(r.envelope().commandId()).isEqualTo(invalid));
    }

    @Test
    void a_command_for_an_aggregate_of_another_partition_is_dead_lettered_whatever_the_record_key() {
        startDriver(2);
        var twoPartitions = new AggregatePartitions(2);
        String here = idOn(twoPartitions, 0, "here-");
        String elsewhere = idOn(twoPartitions, 1, "elsewhere-");
        byte[] batch = CommandRecords.write(List.of(
                CommandEnvelope.fromClient(UUID.randomUUID().toString(), Instant.now(), open(here, false, 0)),
                CommandEnvelope.fromClient(UUID.randomUUID().toString(), Instant.now(), open(elsewhere, false, 0))));

        commandsIn.pipeInput(here, batch);
        collect();

        assertThat(events).extracting(TestRecord::key).containsExactly(here);
        var deadLetters = deadLettersOut.readRecordsToList();
        assertThat(deadLetters).hasSize(1);
        assertThat(new String(deadLetters.getFirst().headers().lastHeader(CommandProcessor.DEAD_LETTER_REASON_HEADER)
                .value(), StandardCharsets.UTF_8)).contains(elsewhere).contains("partition");

        // a record whose key names its own aggregate, but that a producer put on another partition
        String misplaced = idOn(twoPartitions, 1, "misplaced-");
        commandsIn.pipeInput(misplaced, CommandRecords.write(List.of(
                CommandEnvelope.fromClient(UUID.randomUUID().toString(), Instant.now(), open(misplaced, false, 0)))));
        collect();

        assertThat(events).extracting(TestRecord::key).as("no event for an aggregate this task does not own")
                .containsExactly(here);
        assertThat(new String(deadLettersOut.readRecord().headers().lastHeader(CommandProcessor.DEAD_LETTER_REASON_HEADER)
                .value(), StandardCharsets.UTF_8)).isEqualTo("aggregate '" + misplaced
                + "' lives on partition 1 of the commands topic, not on partition 0 it was read from");
    }

    @Test
    void the_steps_a_batch_sends_to_one_partition_leave_as_one_record() {
        startDriver(2);
        var twoPartitions = new AggregatePartitions(2);
        String bank = idOn(twoPartitions, 0, "bank-");
        String remoteA = idOn(twoPartitions, 1, "a-");
        String remoteB = idOn(twoPartitions, 1, "b-" );
        send(open(bank, true, 0));
        String t1 = idOn(twoPartitions, 0, "t1-");
        String t2 = idOn(twoPartitions, 0, "t2-");

        commandsIn.pipeInput(t1, CommandRecords.write(List.of(
                CommandEnvelope.fromClient(UUID.randomUUID().toString(), Instant.now(), transfer(t1, bank, remoteA, 10)),
                CommandEnvelope.fromClient(UUID.randomUUID().toString(), Instant.now(), transfer(t2, bank, remoteB, 20)))));
        collect();

        var sent = commandsOut.readRecordsToList();
        assertThat(sent).as("both credits, bound for partition 1, in one record").hasSize(1);
        assertThat(CommandRecords.read(sent.getFirst().value())).extracting(item -> item instanceof CommandRecords.Readable r
                ? r.envelope().command().aggregateId() : "unreadable").containsExactly(remoteA, remoteB);
        assertThat(twoPartitions.partitionOf(sent.getFirst().key())).isEqualTo(1);
    }

    @Test
    void a_command_from_another_producer_with_text_the_read_model_cannot_store_is_dead_lettered_and_changes_nothing() {
        send(open("bank", true, 0));
        send(open("alice", false, 0));
        int eventsBefore = events.size();
        // what a producer that bypasses the API writes: valid JSON whose strings hold a NUL or a lone surrogate
        pipeRaw("t-nul", transfer("t-nul", "bank", "alice", 2500), "\"ref\"", "\"bad\\u0000ref\"");
        pipeRaw("carol", new OpenAccount("carol", EUR, 0, false, Map.of("note", "x")), "\"x\"", "\"\\ud800\"");

        var deadLetters = deadLettersOut.readRecordsToList();
        assertThat(deadLetters).extracting(r -> new String(
                r.headers().lastHeader(CommandProcessor.DEAD_LETTER_REASON_HEADER).value(), StandardCharsets.UTF_8))
                .containsExactly(
                        "reference contains a control character (U+0000) at character 3 (counting code points from 0)",
                        "metadata.note contains an unpaired surrogate (U+D800) at character 0 (counting code points from 0)");
        assertThat(meters.deadLettered().count()).isEqualTo(2.0);
        assertThat(events).hasSize(eventsBefore);

        // the partition goes on, and the refused transfer's id was never taken
        send(transfer("t-nul", "bank", "alice", 2500));
        assertThat(results.getLast().outcome().status()).isEqualTo(Status.COMPLETED);
        assertThat(results.getLast().outcome().replayed()).isFalse();
    }

    /** Writes the command's JSON with one piece of its text replaced, as a hand-written producer would. */
    private void pipeRaw(String key, LedgerCommand command, String json, String replacement) {
        String written = new String(LedgerJson.writeCommand(
                CommandEnvelope.fromClient(UUID.randomUUID().toString(), Instant.now(), command)), StandardCharsets.UTF_8);
        assertThat(written).contains(json);
        commandsIn.pipeInput(key, written.replace(json, replacement).getBytes(StandardCharsets.UTF_8));
        collect();
        deliverFollowUps();
    }

    @Test
    void on_one_partition_a_transfer_is_settled_whole_in_four_events_and_one_answer() {
        startDriver(1);
        send(open("bank", true, 0));
        send(open("alice", false, 0));

        String commandId = UUID.randomUUID().toString();
        commandsIn.pipeInput("t-1", LedgerJson.writeCommand(
                CommandEnvelope.fromClient(commandId, Instant.now(), transfer("t-1", "bank", "alice", 2500))));
        collect();

        assertThat(commandsOut.isEmpty()).as("no saga command went through the topic").isTrue();
        assertThat(eventTypes()).containsExactly("AccountOpened", "AccountOpened", "TransferInitiated",
                "AccountDebited", "AccountCredited", "TransferCompleted");
        CommandResult last = results.getLast();
        assertThat(last.commandId()).isEqualTo(commandId);
        assertThat(last.outcome().status()).isEqualTo(Status.COMPLETED);
        assertThat(last.outcome().position()).containsOnly(Map.entry("bank", 2L), Map.entry("alice", 2L),
                Map.entry("transfer/t-1", 2L));
        assertThat(results).as("one answer per client command: two opens and the transfer").hasSize(3);
        assertChainsVerify();
    }

    @Test
    void on_one_partition_a_settled_transfer_restores_from_its_four_events_and_is_answered_as_before() {
        startDriver(1);
        send(open("bank", true, 0));
        send(open("alice", false, 0));
        send(transfer("t-1", "bank", "alice", 100));
        CommandResult settled = results.getLast();
        send(transfer("t-2", "alice", "bank", 60));
        Map<String, String> before = stores();

        restartDriver();
        String retryId = send(transfer("t-1", "bank", "alice", 100));
        CommandResult replay = results.getLast();
        Map<String, String> after = stores();
        send(transfer("t-3", "alice", "bank", 41));

        assertThat(after).as("every account, transfer and hash link as before").isEqualTo(before);
        assertThat(replay.commandId()).isEqualTo(retryId);
        assertThat(replay.outcome().status()).isEqualTo(Status.COMPLETED);
        assertThat(replay.outcome().replayed()).isTrue();
        assertThat(replay.outcome().position()).isEqualTo(settled.outcome().position());
        assertThat(results.getLast().outcome().reason()).as("alice holds 40 after paying 60 of 100")
                .isEqualTo(Reason.INSUFFICIENT_FUNDS);
        assertThat(meters.restoreSkipped().count()).isZero();
        assertChainsVerify();
    }

    @Test
    void on_one_partition_a_transfer_the_saga_would_refuse_takes_the_saga_and_is_refused_as_before() {
        startDriver(1);
        send(open("alice", false, 100));
        send(open("bob", false, 0));

        send(transfer("t-1", "alice", "bob", 101));

        assertThat(eventTypes()).containsExactly("AccountOpened", "AccountOpened", "TransferInitiated", "TransferRejected");
        assertThat(results.getLast().outcome().reason()).isEqualTo(Reason.INSUFFICIENT_FUNDS);
    }

    @Test
    void on_one_partition_a_refused_credit_is_compensated_in_the_same_step() {
        startDriver(1);
        send(open("bank", true, 0));
        send(new OpenAccount("usd-account", Currency.getInstance("USD"), 0, false, Map.of()));

        commandsIn.pipeInput("t-1", LedgerJson.writeCommand(CommandEnvelope.fromClient(UUID.randomUUID().toString(),
                Instant.now(), new InitiateTransfer(new TransferRequest("t-1", "bank", "usd-account", 5, EUR, null, Map.of())))));
        collect();

        assertThat(commandsOut.isEmpty()).isTrue();
        assertThat(eventTypes()).containsExactly("AccountOpened", "AccountOpened", "TransferInitiated",
                "FundsReserved", "ReservationReleased", "TransferRejected");
        assertThat(results.getLast().outcome().reason()).isEqualTo(Reason.CURRENCY_MISMATCH);
    }

    @Test
    void with_one_account_elsewhere_only_the_hops_to_it_take_the_round_trip() {
        startDriver(2);
        var twoPartitions = new AggregatePartitions(2);
        String local = idOn(twoPartitions, 0, "local-");
        String remote = idOn(twoPartitions, 1, "remote-");
        String transferId = idOn(twoPartitions, 0, "t-");
        send(open(local, true, 0));

        commandsIn.pipeInput(transferId, LedgerJson.writeCommand(CommandEnvelope.fromClient(UUID.randomUUID().toString(),
                Instant.now(), transfer(transferId, local, remote, 70))));
        collect();

        var sent = commandsOut.readRecordsToList();
        assertThat(sent).as("initiate and reserve ran here; the credit goes to the other partition")
                .singleElement().satisfies(step -> {
                    assertThat(step.key()).isEqualTo(remote);
                    assertThat(CommandRecords.read(step.value())).singleElement().isInstanceOfSatisfying(
                            CommandRecords.Readable.class, r -> assertThat(r.envelope().type()).isEqualTo("CreditAccount"));
                });
        // the rest runs on partition 1's task, which the driver does not have (the real-broker tests run it)
        assertThat(eventTypes()).containsExactly("AccountOpened", "TransferInitiated", "FundsReserved");
    }

    private static String idOn(AggregatePartitions partitions, int partition, String prefix) {
        for (int i = 0; ; i++) {
            if (partitions.partitionOf(prefix + i) == partition) return prefix + i;
        }
    }

    private static OpenAccount open(String id, boolean unlimited, long overdraft) {
        return new OpenAccount(id, EUR, overdraft, unlimited, Map.of());
    }

    private static InitiateTransfer transfer(String id, String debit, String credit, long amount) {
        return new InitiateTransfer(new TransferRequest(id, debit, credit, amount, EUR, "ref", Map.of()));
    }

    /** Sends a client command and delivers every follow-up the saga emits until it settles. */
    private String send(LedgerCommand command) {
        String commandId = UUID.randomUUID().toString();
        pipe(command.aggregateId(), CommandEnvelope.fromClient(commandId, Instant.now(), command));
        return commandId;
    }

    private void pipe(String key, CommandEnvelope envelope) {
        commandsIn.pipeInput(key, LedgerJson.writeCommand(envelope));
        collect();
        deliverFollowUps();
    }

    private void deliverFollowUps() {
        while (!commandsOut.isEmpty()) {
            var next = commandsOut.readRecord();
            delivered.add(next);
            commandsIn.pipeInput(new TestRecord<>(next.key(), next.value(), next.headers(), next.timestamp()));
            collect();
        }
    }

    private void collect() {
        events.addAll(eventsOut.readRecordsToList());
        resultsOut.readValuesToList().forEach(v -> results.addAll(ResultRecords.read(v)));
    }

    /**
     * The driver's events topic as a broker would keep it: every event record the processor wrote, in
     * order, plus whatever a test appended as another producer. A restarted driver restores from it.
     */
    private void readLog(int partition, java.util.function.Consumer<ConsumerRecord<String, byte[]>> each) {
        for (int offset = 0; offset < events.size(); offset++) {
            var r = events.get(offset);
            each.accept(new ConsumerRecord<>(topics.events().name(), partition, offset, r.timestamp(),
                    TimestampType.CREATE_TIME, -1, r.value().length, r.key(), r.value(), r.headers(), Optional.empty()));
        }
    }

    /** What the task's stores hold, readably: the state, its hash link and origin per aggregate. */
    private Map<String, String> stores() {
        var all = new java.util.TreeMap<String, String>();
        KeyValueStore<String, Aggregate<?>> accounts = driver.getKeyValueStore(CommandProcessor.ACCOUNTS_STORE);
        KeyValueStore<String, Aggregate<?>> transfers = driver.getKeyValueStore(CommandProcessor.TRANSFERS_STORE);
        try (var it = accounts.all()) {
            it.forEachRemaining(kv -> all.put("account " + kv.key, describe(kv.value)));
        }
        try (var it = transfers.all()) {
            it.forEachRemaining(kv -> all.put("transfer " + kv.key, describe(kv.value)));
        }
        return all;
    }

    private static String describe(Aggregate<?> aggregate) {
        return aggregate.state() + " " + java.util.HexFormat.of().formatHex(aggregate.lastHash()) + " "
                + aggregate.originCommandId();
    }

    private void assertChainsVerify() {
        var chain = new HashChain(KEY);
        Map<String, byte[]> lastHash = new HashMap<>();
        for (var record : events) {
            for (EventRecords.Stored stored : EventRecords.read(record.key(), record.value(), record.headers())) {
                String id = EventCodec.read(stored.value()).aggregateId();
                assertThat(chain.verifies(lastHash.getOrDefault(id, HashChain.GENESIS), stored.value(), stored.hash()))
                        .as("the chain of %s goes on across the restart", id).isTrue();
                lastHash.put(id, stored.hash());
            }
        }
    }

    /** The header itself, not {@link LedgerKeys#idOf}, which reads a missing header as the default id too. */
    private static String keyIdHeader(TestRecord<String, byte[]> record) {
        var header = record.headers().lastHeader(LedgerKeys.HEADER);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private List<String> eventTypes() {
        return events.stream().flatMap(r -> EventRecords.decode(r.key(), r.value(), r.headers()).stream())
                .map(EventEnvelope::type).toList();
    }
}
