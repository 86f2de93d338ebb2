package dev.ledger.kafka;

import com.google.protobuf.ByteString;
import dev.ledger.domain.LedgerEvent;
import dev.ledger.domain.Reason;
import dev.ledger.domain.account.AccountCommand.OpenAccount;
import dev.ledger.domain.account.AccountEvent.AccountClosed;
import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.domain.account.AccountEvent.AccountDebited;
import dev.ledger.domain.account.AccountEvent.AccountOpened;
import dev.ledger.domain.account.AccountEvent.FundsReserved;
import dev.ledger.domain.account.AccountEvent.ReservationCaptured;
import dev.ledger.domain.account.AccountEvent.ReservationReleased;
import dev.ledger.domain.transfer.TransferCommand.InitiateTransfer;
import dev.ledger.domain.transfer.TransferEvent.TransferCompleted;
import dev.ledger.domain.transfer.TransferEvent.TransferInitiated;
import dev.ledger.domain.transfer.TransferEvent.TransferRejected;
import dev.ledger.domain.transfer.TransferRequest;
import dev.ledger.kafka.proto.Wire;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The binary events of {@code ledger.events}: what is written reads back equal, what is not is refused, never misread. */
class BinaryEventsTest {
    private static final byte[] KEY = "test-ledger-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    @Test
    void every_event_type_reads_back_equal_from_its_binary_bytes() {
        assertThat(Samples.EVENTS).extracting(EventEnvelope::type).containsAll(LedgerJson.eventTypes().keySet());
        for (EventEnvelope event : Samples.EVENTS) {
            byte[] stored = EventCodec.write(event);

            assertThat(EventCodec.isBinary(stored)).isTrue();
            assertThat(EventCodec.read(stored)).isEqualTo(event);
        }
    }

    @Property(tries = 1000)
    void any_envelope_reads_back_equal_and_as_its_json_form_reads(@ForAll("envelopes") EventEnvelope envelope) {
        assertThat(EventCodec.read(EventCodec.write(envelope))).isEqualTo(envelope)
                .isEqualTo(EventCodec.read(LedgerJson.writeEvent(envelope)));
    }

    @Test
    void the_json_events_written_before_still_read_through_the_same_entry_point() {
        for (EventEnvelope event : Samples.EVENTS) {
            byte[] json = LedgerJson.writeEvent(event);

            assertThat(EventCodec.isBinary(json)).isFalse();
            assertThat(EventCodec.read(json)).isEqualTo(event);
        }
    }

    @Test
    void an_engine_event_leaves_out_every_field_its_rules_rebuild_and_keeps_canonical_uuids_as_16_bytes() throws Exception {
        List<EventEnvelope> transfer = benchTransfer().stream().map(e -> EventCodec.read(e.value())).toList();
        for (EventEnvelope envelope : transfer) {
            Wire.EventEnvelope wire = wire(EventCodec.write(envelope));
            assertThat(wire.hasAggregateId()).as("aggregateId of %s", envelope.type()).isFalse();
            assertThat(wire.hasCorrelationId()).as("correlationId of %s", envelope.type()).isFalse();
            assertThat(wire.hasSchemaVersion()).as("schemaVersion of %s", envelope.type()).isFalse();
            assertThat(wire.getEventIdCase()).isEqualTo(Wire.EventEnvelope.EventIdCase.EVENT_UUID);
            assertThat(wire.getOccurredAtCase()).isEqualTo(Wire.EventEnvelope.OccurredAtCase.OCCURRED_AT_MS);
            if (envelope.type().equals("TransferInitiated")) {
                assertThat(wire.getCommandIdCase()).as("a client's random id").isEqualTo(Wire.EventEnvelope.CommandIdCase.COMMAND_UUID);
                assertThat(wire.hasCausationUuid() || wire.hasCausationIdText()).as("its own cause").isFalse();
            } else {
                assertThat(wire.getCommandIdCase()).as("the step id of %s", envelope.type())
                        .isEqualTo(Wire.EventEnvelope.CommandIdCase.COMMANDID_NOT_SET);
                assertThat(wire.getCausationIdCase()).as("the event before").isEqualTo(Wire.EventEnvelope.CausationIdCase.CAUSATION_UUID);
            }
        }
    }

    @Test
    void a_field_that_differs_from_its_rule_is_written_and_read_as_it_is() {
        EventEnvelope usual = Samples.firstEvent("FundsReserved");
        EventEnvelope odd = new EventEnvelope("8F14E45F-CEEA-467F-A0E6-7C3C0B6BC1A2", usual.type(), usual.schemaVersion(),
                "not-alice", usual.seq(), Instant.parse("+1000000000-01-01T00:00:00.000000001Z"), "t-0001/ReserveFunds",
                "other-correlation", "t-0001/ReserveFunds", usual.event());

        assertThat(EventCodec.read(EventCodec.write(odd))).isEqualTo(odd);
    }

    @Test
    void a_cut_or_padded_event_is_unreadable() {
        byte[] stored = EventCodec.write(Samples.firstEvent("FundsReserved"));
        assertUnreadable(Arrays.copyOf(stored, stored.length + 1), "cut or padded");
        assertUnreadable(Arrays.copyOf(stored, stored.length - 1), "cut or padded");
    }

    /** The figures BENCHMARKS.md quotes: the four events of one transfer as the bench makes it, JSON and binary. */
    @Test
    void the_events_of_a_bench_transfer_take_at_most_600_bytes_with_their_links_and_framing() {
        List<EventRecords.Stored> transfer = benchTransfer();
        int json = 0;
        int binary = 0;
        for (EventRecords.Stored stored : transfer) {
            EventEnvelope envelope = EventCodec.read(stored.value());
            int jsonBytes = EventRecords.sizeInBatch(LedgerJson.writeEvent(envelope), stored.hash());
            int binaryBytes = EventRecords.sizeInBatch(stored.value(), stored.hash());
            System.out.printf("%-20s JSON %4d B, binary %4d B (envelope %3d B + link %d B + framing %d B)%n",
                    envelope.type(), jsonBytes, binaryBytes, stored.value().length, stored.hash().length, 2 * Integer.BYTES);
            json += jsonBytes;
            binary += binaryBytes;
        }
        System.out.printf("per transfer         JSON %4d B, binary %4d B%n", json, binary);

        assertThat(transfer).extracting(e -> EventCodec.read(e.value()).type()).containsExactly("TransferInitiated",
                "AccountDebited", "AccountCredited", "TransferCompleted");
        assertThat(binary).isLessThanOrEqualTo(600);
    }

    @Property(tries = 3000)
    void garbage_after_the_header_is_unreadable_or_an_event_never_anything_else(@ForAll byte[] garbage) {
        byte[] stored = new byte[garbage.length + 2];
        stored[0] = (byte) 0xF5;
        stored[1] = 1;
        System.arraycopy(garbage, 0, stored, 2, garbage.length);
        try {
            assertThat(EventCodec.read(stored)).isNotNull();
        } catch (LedgerJson.UnreadableException expected) {
            // the one way an event is refused
        }
    }

    @Test
    void every_truncation_of_every_event_is_unreadable_or_reads_as_written() {
        for (EventEnvelope event : Samples.EVENTS) {
            byte[] stored = EventCodec.write(event);
            for (int length = 0; length < stored.length; length++) {
                byte[] cut = Arrays.copyOf(stored, length);
                assertThatThrownBy(() -> EventCodec.read(cut)).as("%s cut to %d bytes", event.type(), length)
                        .isInstanceOf(LedgerJson.UnreadableException.class);
            }
        }
    }

    @Test
    void a_newer_format_version_or_schema_version_is_refused_rather_than_misread() {
        byte[] stored = EventCodec.write(Samples.firstEvent("FundsReserved"));
        stored[1] = 2;
        assertUnreadable(stored, "newer than this ledger reads");

        assertUnreadable(binary(Samples.firstEvent("FundsReserved"), w -> w.setSchemaVersion(LedgerJson.SCHEMA_VERSION + 1)),
                "newer than this ledger reads");
        assertUnreadable(binary(Samples.firstEvent("FundsReserved"), w -> w.setSchemaVersion(0)), "versions start at 1");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, Long.MIN_VALUE})
    void a_seq_below_1_is_unreadable(long seq) {
        assertUnreadable(binary(Samples.firstEvent("FundsReserved"), w -> w.setSeq(seq)), "'seq'");
    }

    @Test
    void a_missing_envelope_field_is_unreadable_rather_than_zero_or_empty() {
        EventEnvelope reserved = Samples.firstEvent("FundsReserved");
        assertUnreadable(binary(reserved, Wire.EventEnvelope.Builder::clearSeq), "'seq'");
        assertUnreadable(binary(reserved, Wire.EventEnvelope.Builder::clearEventId), "'eventId'");
        assertUnreadable(binary(reserved, Wire.EventEnvelope.Builder::clearOccurredAt), "'occurredAt'");
        assertUnreadable(binary(reserved, Wire.EventEnvelope.Builder::clearEvent), "without an event");
        // a client's command has no step id to rebuild its command id from
        assertUnreadable(binary(Samples.firstEvent("AccountOpened"), Wire.EventEnvelope.Builder::clearCommandId), "'commandId'");
    }

    @Test
    void a_missing_data_field_is_unreadable_rather_than_zero_or_empty() {
        assertUnreadable(binary(Samples.firstEvent("FundsReserved"), w -> w.setFundsReserved(
                w.getFundsReserved().toBuilder().clearAmount())), "FundsReserved lacks required field 'amount'");
        assertUnreadable(binary(Samples.firstEvent("AccountCredited"), w -> w.setAccountCredited(
                w.getAccountCredited().toBuilder().clearTransferId())), "AccountCredited lacks required field 'transferId'");
        assertUnreadable(binary(Samples.firstEvent("ReservationReleased"), w -> w.setReservationReleased(
                w.getReservationReleased().toBuilder().clearReason())), "ReservationReleased lacks required field 'reason'");
        assertUnreadable(binary(Samples.firstEvent("AccountOpened"), w -> w.setAccountOpened(
                w.getAccountOpened().toBuilder().clearUnlimitedOverdraft())), "AccountOpened lacks required field 'unlimitedOverdraft'");
        // the one optional field of an event
        EventEnvelope noReference = binaryRead(Samples.firstEvent("TransferInitiated"), w -> w.setTransferInitiated(
                w.getTransferInitiated().toBuilder().clearReference()));
        assertThat(((TransferInitiated) noReference.event()).reference()).isNull();
    }

    @Test
    void an_unknown_event_type_currency_or_reason_or_a_uuid_of_the_wrong_length_is_unreadable() {
        assertUnreadable(binary(Samples.firstEvent("AccountClosed"), w -> w.clearEvent().setUnknownFields(
                com.google.protobuf.UnknownFieldSet.newBuilder().addField(30, com.google.protobuf.UnknownFieldSet.Field
                        .newBuilder().addLengthDelimited(ByteString.copyFromUtf8("x")).build()).build())), "unknown event type");
        assertUnreadable(binary(Samples.firstEvent("AccountOpened"), w -> w.setAccountOpened(
                w.getAccountOpened().toBuilder().setCurrency("XYZ"))), "unknown currency");
        assertUnreadable(binary(Samples.firstEvent("TransferRejected"), w -> w.setTransferRejected(
                w.getTransferRejected().toBuilder().setReasonValue(99))), "unknown reason");
        assertUnreadable(binary(Samples.firstEvent("TransferRejected"), w -> w.setTransferRejected(
                w.getTransferRejected().toBuilder().setReason(Wire.Reason.REASON_UNSPECIFIED))), "unknown reason");
        assertUnreadable(binary(Samples.firstEvent("AccountClosed"), w -> w.setEventUuid(ByteString.copyFrom(new byte[15]))),
                "'eventId' as a UUID of 15 bytes");
    }

    @Test
    void an_unreadable_event_still_names_its_event_id_for_the_reports() {
        EventEnvelope reserved = Samples.firstEvent("FundsReserved");
        byte[] noAmount = binary(reserved, w -> w.setFundsReserved(w.getFundsReserved().toBuilder().clearAmount()));
        assertThatThrownBy(() -> EventCodec.read(noAmount)).isInstanceOf(LedgerJson.UnreadableException.class);

        assertThat(EventCodec.eventIdIn(noAmount)).isEqualTo(reserved.eventId());
        assertThat(EventCodec.eventIdIn(LedgerJson.writeEvent(reserved))).isEqualTo(reserved.eventId());
        assertThat(EventCodec.eventIdIn(new byte[]{(byte) 0xF5, 1, 9, 1})).isNull();
        assertThat(EventCodec.eventIdIn(new byte[]{(byte) 0xFF})).isNull();
        assertThat(EventCodec.eventIdIn(null)).isNull();
    }

    @Test
    void invalid_utf8_in_a_text_field_is_unreadable() {
        byte[] stored = EventCodec.write(Samples.firstEvent("AccountClosed"));
        int at = indexOf(stored, "alice".getBytes(StandardCharsets.UTF_8));
        stored[at] = (byte) 0xFF;
        assertThatThrownBy(() -> EventCodec.read(stored)).isInstanceOf(LedgerJson.UnreadableException.class);
    }

    // ------------------------------------------------------------------ helpers

    /** One transfer as the bench sends it (a client's random command id, ids like its own), decided by the engine. */
    private static List<EventRecords.Stored> benchTransfer() {
        var events = new ArrayList<EventRecords.Stored>();
        var state = new MemoryState();
        var engine = new CommandEngine(KEY, aggregateId -> true);
        CommandEngine.Output out = new CommandEngine.Output() {
            @Override
            public void event(String aggregateId, long timestampMs, byte[] value, byte[] hash) {
                events.add(new EventRecords.Stored(aggregateId, value, hash));
            }

            @Override
            public void command(CommandEnvelope step, long timestampMs) {
                throw new AssertionError("every aggregate is local");
            }

            @Override
            public void result(CommandResult result) {
            }
        };
        long now = Instant.parse("2026-12-01T14:00:00.123Z").toEpochMilli();
        Currency eur = Samples.EUR;
        // an overdraft stands in for the bench's opening deposit
        engine.decide(client(new OpenAccount("acct-1742", eur, 1_000_000, false, Map.of())), now, state, out);
        engine.decide(client(new OpenAccount("acct-311", eur, 0, false, Map.of())), now, state, out);
        engine.decide(client(new InitiateTransfer(new TransferRequest("single-20391", "acct-1742", "acct-311",
                48_213, eur, null, Map.of()))), now, state, out);
        return events.subList(2, events.size());
    }

    private static CommandEnvelope client(dev.ledger.domain.LedgerCommand command) {
        return CommandEnvelope.fromClient(UUID.randomUUID().toString(), Instant.now(), command);
    }

    /** The binary bytes of an event, its message changed on the wire as a foreign writer might. */
    private static byte[] binary(EventEnvelope event, UnaryOperator<Wire.EventEnvelope.Builder> change) {
        byte[] stored = EventCodec.write(event);
        try {
            var changed = new ByteArrayOutputStream();
            changed.write(stored, 0, 2);
            change.apply(wire(stored).toBuilder()).build().writeDelimitedTo(changed);
            return changed.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The message of a binary event: after the magic byte and the format version, its length, then it. */
    private static Wire.EventEnvelope wire(byte[] stored) throws IOException {
        return Wire.EventEnvelope.parseDelimitedFrom(new ByteArrayInputStream(stored, 2, stored.length - 2));
    }

    private static EventEnvelope binaryRead(EventEnvelope event, UnaryOperator<Wire.EventEnvelope.Builder> change) {
        return EventCodec.read(binary(event, change));
    }

    private static void assertUnreadable(byte[] stored, String reason) {
        assertThatThrownBy(() -> EventCodec.read(stored)).isInstanceOf(LedgerJson.UnreadableException.class)
                .hasMessageContaining(reason);
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        for (int i = 0; i + part.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) return i;
        }
        throw new AssertionError("not found");
    }

    // ------------------------------------------------------------------ arbitraries

    @Provide
    Arbitrary<EventEnvelope> envelopes() {
        Arbitrary<Instant> instants = Arbitraries.oneOf(
                Arbitraries.longs().between(-100_000_000_000_000L, 100_000_000_000_000L).map(Instant::ofEpochMilli),
                Combinators.combine(Arbitraries.longs().between(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond()),
                        Arbitraries.integers().between(0, 999_999_999)).as(Instant::ofEpochSecond));
        Arbitrary<String> id = Arbitraries.oneOf(AnyText.any(), Arbitraries.create(UUID::randomUUID).map(UUID::toString),
                Arbitraries.create(UUID::randomUUID).map(u -> u.toString().toUpperCase()));
        return Combinators.combine(id, event(), Arbitraries.longs().between(1, Long.MAX_VALUE), instants,
                        Arbitraries.oneOf(id, Arbitraries.just("")), Arbitraries.of(true, false), Arbitraries.of(true, false),
                        Arbitraries.integers().between(1, LedgerJson.SCHEMA_VERSION))
                .as((eventId, event, seq, at, other, usualIds, clientCommand, version) -> {
                    // half the envelopes as the engine writes them (the derived fields hold their rules'
                    // values), half with any value in their place
                    String commandId = usualIds && !clientCommand && EventDefaults.commandId(event) != null
                            ? EventDefaults.commandId(event) : eventId + "/c";
                    String causation = usualIds && clientCommand ? commandId : other;
                    String correlation = usualIds ? EventDefaults.correlationId(event) : other;
                    String aggregate = usualIds ? event.aggregateId() : other;
                    return new EventEnvelope(eventId, LedgerJson.typeName(event), version, aggregate, seq, at, commandId,
                            correlation, causation, event);
                });
    }

    private static Arbitrary<LedgerEvent> event() {
        Arbitrary<String> t = AnyText.any();
        Arbitrary<Long> n = Arbitraries.longs();
        Arbitrary<Currency> currency = Arbitraries.of(List.copyOf(Currency.getAvailableCurrencies()));
        Arbitrary<Reason> reason = Arbitraries.of(Reason.class);
        Arbitrary<Map<String, String>> metadata = Arbitraries.maps(t, t).ofMaxSize(4);
        return Arbitraries.oneOf(
                Combinators.combine(t, currency, n, Arbitraries.of(true, false), metadata).as(AccountOpened::new),
                t.map(AccountClosed::new),
                Combinators.combine(t, t, n, t).as(FundsReserved::new),
                Combinators.combine(t, t, n, t).as(AccountCredited::new),
                Combinators.combine(t, t, n, t).as(AccountDebited::new),
                Combinators.combine(t, t, n, t).as(ReservationCaptured::new),
                Combinators.combine(t, t, n, reason).as(ReservationReleased::new),
                Combinators.combine(t, t, t, n, currency, t.injectNull(0.3), metadata).as(TransferInitiated::new),
                Combinators.combine(t, n, n).as(TransferCompleted::new),
                Combinators.combine(t, reason, Arbitraries.maps(t, n).ofMaxSize(3)).as(TransferRejected::new));
    }
}
