package dev.ledger.kafka;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

final class LedgerSerdesTest {

    private static final String TOPIC = "ledger.test";

    @Test
    void each_serde_round_trips_its_value() {
        var events = LedgerSerdes.events();
        var commands = LedgerSerdes.commands();
        var results = LedgerSerdes.results();
        EventEnvelope event = Samples.firstEvent("AccountCredited");
        CommandEnvelope command = Samples.firstCommand("CreditAccount");
        CommandResult result = Samples.RESULTS.getFirst();

        assertThat(events.deserializer().deserialize(TOPIC, events.serializer().serialize(TOPIC, event))).isEqualTo(event);
        assertThat(commands.deserializer().deserialize(TOPIC, commands.serializer().serialize(TOPIC, command)))
                .isEqualTo(command);
        assertThat(results.deserializer().deserialize(TOPIC, results.serializer().serialize(TOPIC, result)))
                .isEqualTo(result);
    }

    @Test
    void the_event_serde_writes_exactly_the_bytes_the_hash_chain_covers() {
        EventEnvelope event = Samples.firstEvent("AccountCredited");

        assertThat(LedgerSerdes.events().serializer().serialize(TOPIC, event)).isEqualTo(EventCodec.write(event));
    }

    @Test
    void the_event_serde_still_reads_an_event_written_as_json() {
        EventEnvelope event = Samples.firstEvent("AccountCredited");

        assertThat(LedgerSerdes.events().deserializer().deserialize(TOPIC, LedgerJson.writeEvent(event))).isEqualTo(event);
    }

    @Test
    void a_tombstone_stays_null_both_ways() {
        assertThat(LedgerSerdes.events().serializer().serialize(TOPIC, null)).isNull();
        assertThat(LedgerSerdes.events().deserializer().deserialize(TOPIC, null)).isNull();
        assertThat(LedgerSerdes.commands().deserializer().deserialize(TOPIC, null)).isNull();
        assertThat(LedgerSerdes.results().deserializer().deserialize(TOPIC, null)).isNull();
    }
}
