package dev.ledger.kafka;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The batch formats of the three ledger topics, and the first formats they still read (BinaryRecordsTest: the binary ones). */
class BatchRecordsTest {
    private static final byte[] KEY = "test-ledger-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    @Test
    void an_event_batch_gives_back_each_event_with_its_exact_bytes_and_its_own_link() {
        var chain = new HashChain(KEY);
        var written = new ArrayList<EventRecords.Stored>();
        byte[] hash = HashChain.GENESIS;
        for (int i = 0; i < Samples.EVENTS.size(); i++) {
            // a partition's log goes from JSON events to binary ones: one batch may hold both
            EventEnvelope event = Samples.EVENTS.get(i);
            byte[] bytes = i % 2 == 0 ? LedgerJson.writeEvent(event) : EventCodec.write(event);
            hash = chain.next(hash, bytes);
            written.add(new EventRecords.Stored(event.aggregateId(), bytes, hash));
        }

        List<EventRecords.Stored> read = EventRecords.read("any", EventRecords.write(written), null);

        assertThat(read).hasSameSizeAs(written);
        for (int i = 0; i < read.size(); i++) {
            assertThat(read.get(i).value()).isEqualTo(written.get(i).value());
            assertThat(read.get(i).hash()).isEqualTo(written.get(i).hash());
            assertThat(read.get(i).key()).as("a batch's record key names none of its events").isNull();
        }
        assertThat(EventRecords.decode("any", EventRecords.write(written), null)).isEqualTo(Samples.EVENTS);
    }

    @Test
    void a_record_of_the_first_format_is_one_event_with_its_link_in_the_header() {
        EventEnvelope event = Samples.EVENTS.getFirst();
        byte[] bytes = LedgerJson.writeEvent(event);
        byte[] hash = new HashChain(KEY).next(HashChain.GENESIS, bytes);

        List<EventRecords.Stored> read = EventRecords.read(event.aggregateId(), bytes,
                new RecordHeaders().add(HashChain.HEADER, hash));

        assertThat(read).singleElement().satisfies(e -> {
            assertThat(e.key()).isEqualTo(event.aggregateId());
            assertThat(e.value()).isEqualTo(bytes);
            assertThat(e.hash()).isEqualTo(hash);
        });
        assertThat(EventRecords.isBatch(bytes)).isFalse();
    }

    @Test
    void a_truncated_or_padded_event_batch_is_unreadable_not_misread() {
        byte[] bytes = LedgerJson.writeEvent(Samples.EVENTS.getFirst());
        byte[] batch = EventRecords.write(List.of(new EventRecords.Stored("a", bytes, new byte[32])));

        assertThatThrownBy(() -> EventRecords.read(null, Arrays.copyOf(batch, batch.length - 1), null))
                .isInstanceOf(LedgerJson.UnreadableException.class);
        assertThatThrownBy(() -> EventRecords.read(null, Arrays.copyOf(batch, batch.length + 1), null))
                .isInstanceOf(LedgerJson.UnreadableException.class);
        assertThatThrownBy(() -> EventRecords.read(null, new byte[]{0, 9, 0, 0, 0, 1}, null))
                .as("a newer version").isInstanceOf(LedgerJson.UnreadableException.class);
    }

    @Test
    void a_command_record_reads_the_json_formats_and_reports_a_bad_element_on_its_own() {
        CommandEnvelope first = Samples.COMMANDS.getFirst();
        assertThat(CommandRecords.read(LedgerJson.writeCommand(first))).singleElement()
                .isInstanceOfSatisfying(CommandRecords.Readable.class, r -> assertThat(r.envelope()).isEqualTo(first));

        String batch = new String(JsonBatches.commands(Samples.COMMANDS), StandardCharsets.UTF_8);
        String spoiled = batch.replaceFirst("\"type\":\"[A-Za-z]+\"", "\"type\":\"StealMoney\"");
        List<CommandRecords.Item> items = CommandRecords.read(spoiled.getBytes(StandardCharsets.UTF_8));

        assertThat(items).hasSameSizeAs(Samples.COMMANDS);
        assertThat(items.getFirst()).isInstanceOfSatisfying(CommandRecords.Unreadable.class,
                u -> assertThat(u.reason()).contains("StealMoney"));
        for (int i = 1; i < items.size(); i++) {
            assertThat(items.get(i)).isInstanceOfSatisfying(CommandRecords.Readable.class,
                    r -> assertThat(Samples.COMMANDS).contains(r.envelope()));
        }
        assertThat(CommandRecords.read("{not json".getBytes(StandardCharsets.UTF_8))).singleElement()
                .isInstanceOf(CommandRecords.Unreadable.class);
    }

    @Test
    void a_saga_step_carries_the_client_command_it_answers_and_a_command_without_it_still_reads() {
        var step = new CommandEnvelope("t-1/CreditAccount", "CreditAccount", Instant.parse("2026-11-22T10:00:00Z"),
                "t-1", UUID.randomUUID().toString(), Samples.firstCommand("CreditAccount").command(), "client-1");

        assertThat(LedgerJson.readCommand(LedgerJson.writeCommand(step)).originCommandId()).isEqualTo("client-1");
        assertThat(LedgerJson.readCommand(LedgerJson.writeCommand(Samples.firstCommand("CreditAccount")))
                .originCommandId()).isNull();
    }

    @Test
    void a_result_record_reads_every_format() {
        assertThat(ResultRecords.read(ResultRecords.write(Samples.RESULTS))).isEqualTo(Samples.RESULTS);
        assertThat(ResultRecords.read(JsonBatches.results(Samples.RESULTS))).isEqualTo(Samples.RESULTS);
        assertThat(ResultRecords.read(LedgerJson.writeValue(Samples.RESULTS.getFirst())))
                .containsExactly(Samples.RESULTS.getFirst());
    }
}
