package dev.ledger.kafka;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import dev.ledger.domain.LedgerCommand;
import dev.ledger.domain.Reason;
import dev.ledger.domain.account.AccountCommand.CaptureReservation;
import dev.ledger.domain.account.AccountCommand.CloseAccount;
import dev.ledger.domain.account.AccountCommand.CreditAccount;
import dev.ledger.domain.account.AccountCommand.OpenAccount;
import dev.ledger.domain.account.AccountCommand.ReleaseReservation;
import dev.ledger.domain.account.AccountCommand.ReserveFunds;
import dev.ledger.domain.transfer.TransferCommand.CompleteTransfer;
import dev.ledger.domain.transfer.TransferCommand.InitiateTransfer;
import dev.ledger.domain.transfer.TransferCommand.RejectTransfer;
import dev.ledger.domain.transfer.TransferRequest;
import dev.ledger.kafka.proto.Wire;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The binary records of {@code ledger.commands} and {@code ledger.results}: what is written reads back, what is not refuses. */
class BinaryRecordsTest {

    @Test
    void every_command_type_reads_back_equal_from_one_binary_record() {
        byte[] record = CommandRecords.write(Samples.COMMANDS);

        assertThat(CommandRecords.isBinary(record)).isTrue();
        assertThat(CommandRecords.read(record)).extracting(item -> ((CommandRecords.Readable) item).envelope())
                .containsExactlyElementsOf(Samples.COMMANDS);
        assertThat(Samples.COMMANDS).extracting(CommandEnvelope::type)
                .containsAll(LedgerJson.commandTypes().keySet());
    }

    @Property(tries = 300)
    void any_command_reads_back_equal(@ForAll("envelopes") List<CommandEnvelope> batch) {
        List<CommandRecords.Item> read = CommandRecords.read(CommandRecords.write(batch));

        assertThat(read).extracting(item -> item instanceof CommandRecords.Readable r ? r.envelope() : item)
                .containsExactlyElementsOf(batch);
    }

    @Test
    void the_records_written_as_json_before_still_read() {
        assertThat(CommandRecords.read(JsonBatches.commands(Samples.COMMANDS)))
                .extracting(item -> ((CommandRecords.Readable) item).envelope()).containsExactlyElementsOf(Samples.COMMANDS);
        byte[] indented = ("\n  " + new String(LedgerJson.writeCommand(Samples.COMMANDS.get(3)), StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
        assertThat(CommandRecords.read(indented)).singleElement().isInstanceOfSatisfying(CommandRecords.Readable.class,
                r -> assertThat(r.envelope()).isEqualTo(Samples.COMMANDS.get(3)));
    }

    @Test
    void a_bad_element_is_unreadable_alone_and_its_own_bytes_read_again_as_a_record_of_it() {
        CommandEnvelope before = Samples.COMMANDS.get(5);
        CommandEnvelope after = Samples.COMMANDS.get(6);
        Wire.CommandEnvelope noAmount = wire(before).toBuilder()
                .setReserveFunds(wire(before).getReserveFunds().toBuilder().clearAmount()).build();
        Map<String, byte[]> badElements = Map.of(
                "malformed", new byte[]{(byte) 0xff, (byte) 0xff, 0x01},
                "lacks required field 'amount'", noAmount.toByteArray(),
                "unknown command type", wire(before).toBuilder().clearCommand().setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(99, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("x")).build())
                        .build()).build().toByteArray());

        badElements.forEach((reason, bad) -> {
            List<CommandRecords.Item> items = CommandRecords.read(batchOf(
                    CommandProto.write(before), bad, CommandProto.write(after)));

            assertThat(items).hasSize(3);
            assertThat(items.get(0)).isInstanceOfSatisfying(CommandRecords.Readable.class,
                    r -> assertThat(r.envelope()).isEqualTo(before));
            assertThat(items.get(2)).isInstanceOfSatisfying(CommandRecords.Readable.class,
                    r -> assertThat(r.envelope()).isEqualTo(after));
            assertThat(items.get(1)).isInstanceOfSatisfying(CommandRecords.Unreadable.class, u -> {
                assertThat(u.reason()).contains(reason);
                assertThat(CommandRecords.read(u.bytes())).singleElement()
                        .isInstanceOfSatisfying(CommandRecords.Unreadable.class, again -> assertThat(again.reason()).isEqualTo(u.reason()));
            });
            assertThat(CommandRecords.read(items.get(0).bytes())).singleElement()
                    .isInstanceOfSatisfying(CommandRecords.Readable.class, r -> assertThat(r.envelope()).isEqualTo(before));
        });
    }

    /** A field absent on the wire is refused exactly where the JSON reader refuses it missing, and read as absent where it allows that. */
    @Test
    void every_required_field_is_required_in_both_formats() {
        Set<String> optional = Set.of("originCommandId", "initiateTransfer/request/reference");
        List<String> checked = new ArrayList<>();
        for (CommandEnvelope sample : Samples.COMMANDS) {
            Wire.CommandEnvelope full = wire(sample.originCommandId() == null
                    ? new CommandEnvelope(sample.commandId(), sample.type(), sample.issuedAt(), sample.correlationId(),
                    sample.causationId(), sample.command(), "origin") : sample);
            for (Cleared cleared : oneFieldCleared(full, "")) {
                List<CommandRecords.Item> binary = CommandRecords.read(batchOf(cleared.message().toByteArray()));
                boolean jsonReads = jsonReadsWithout(full, cleared.path());
                if (optional.contains(cleared.path())) {
                    assertThat(binary).as(cleared.path()).singleElement().isInstanceOf(CommandRecords.Readable.class);
                    assertThat(jsonReads).as("JSON without %s", cleared.path()).isTrue();
                } else {
                    assertThat(binary).as(cleared.path()).singleElement().isInstanceOfSatisfying(
                            CommandRecords.Unreadable.class, u -> assertThat(u.reason()).containsAnyOf(
                                    "lacks required field '" + last(cleared.path()) + "'", "without a command"));
                    assertThat(jsonReads).as("JSON without %s", cleared.path()).isFalse();
                }
                checked.add(sample.type() + ":" + cleared.path());
            }
        }
        assertThat(checked).contains("ReserveFunds:reserveFunds/amount", "OpenAccount:openAccount/unlimitedOverdraft",
                "InitiateTransfer:initiateTransfer/request/currency", "CompleteTransfer:issuedAt");
    }

    @Test
    void values_this_ledger_does_not_know_are_unreadable() {
        Wire.CommandEnvelope reserve = wire(Samples.COMMANDS.get(5));
        Wire.CommandEnvelope release = wire(Samples.COMMANDS.get(8));
        assertUnreadable(reserve.toBuilder().setReserveFunds(reserve.getReserveFunds().toBuilder().setCurrency("XYZ")).build(),
                "unknown currency 'XYZ'");
        assertUnreadable(release.toBuilder().setReleaseReservation(release.getReleaseReservation().toBuilder()
                .setReason(Wire.Reason.REASON_UNSPECIFIED)).build(), "unknown reason");
        assertUnreadable(release.toBuilder().setReleaseReservation(release.getReleaseReservation().toBuilder()
                .setReasonValue(99)).build(), "unknown reason");
        assertUnreadable(reserve.toBuilder().setIssuedAt(reserve.getIssuedAt().toBuilder().setNanos(1_000_000_000)).build(),
                "invalid timestamp 'issuedAt'");
        assertUnreadable(reserve.toBuilder().setIssuedAt(reserve.getIssuedAt().toBuilder().setSeconds(Long.MAX_VALUE)).build(),
                "invalid timestamp 'issuedAt'");
    }

    @Test
    void a_string_that_is_not_utf8_is_unreadable_rather_than_replaced() {
        byte[] envelope = CommandProto.write(Samples.COMMANDS.get(2));
        byte[] invalid = Arrays.copyOf(envelope, envelope.length + 4);
        // a second command_id (field 1, length-delimited) of two bytes that are no UTF-8: the last value would win
        System.arraycopy(new byte[]{0x0a, 0x02, (byte) 0xc3, 0x28}, 0, invalid, envelope.length, 4);

        assertThat(CommandRecords.read(batchOf(invalid))).singleElement().isInstanceOfSatisfying(
                CommandRecords.Unreadable.class, u -> assertThat(u.reason()).contains("malformed command envelope"));
    }

    @Test
    void a_newer_format_version_or_an_empty_batch_is_unreadable() {
        byte[] record = CommandRecords.write(Samples.COMMANDS.subList(0, 2));
        record[1] = 2;
        assertThat(CommandRecords.read(record)).singleElement().isInstanceOfSatisfying(CommandRecords.Unreadable.class,
                u -> assertThat(u.reason()).contains("version 2, newer than this ledger reads"));
        assertThat(CommandRecords.read(new byte[]{(byte) 0xC1, 1})).singleElement().isInstanceOfSatisfying(
                CommandRecords.Unreadable.class, u -> assertThat(u.reason()).contains("without commands"));
        assertThat(CommandRecords.read(new byte[]{(byte) 0xC1})).singleElement().isInstanceOf(CommandRecords.Unreadable.class);
    }

    @Test
    void a_truncated_record_never_throws_and_never_misreads_a_command() {
        byte[] record = CommandRecords.write(Samples.COMMANDS);
        for (int length = 0; length < record.length; length++) {
            List<CommandRecords.Item> items = CommandRecords.read(Arrays.copyOf(record, length));
            for (int i = 0; i < items.size(); i++) {
                if (items.get(i) instanceof CommandRecords.Readable r) {
                    assertThat(r.envelope()).as("element %d of a record cut at %d bytes", i, length)
                            .isEqualTo(Samples.COMMANDS.get(i));
                }
            }
        }
    }

    @Property(tries = 2000)
    void garbage_after_the_header_never_throws(@ForAll byte[] garbage) {
        byte[] commands = new byte[garbage.length + 2];
        commands[0] = (byte) 0xC1;
        commands[1] = 1;
        System.arraycopy(garbage, 0, commands, 2, garbage.length);
        assertThat(CommandRecords.read(commands)).isNotEmpty();

        byte[] results = commands.clone();
        results[0] = (byte) 0xC0;
        try {
            ResultRecords.read(results);
        } catch (LedgerJson.UnreadableException expected) {
            // the one way a result record is refused
        }
    }

    @Test
    void a_result_record_reads_back_equal_and_refuses_what_it_cannot_read() {
        byte[] record = ResultRecords.write(Samples.RESULTS);
        assertThat(ResultRecords.read(record)).isEqualTo(Samples.RESULTS);

        for (int length = 0; length < record.length; length++) {
            byte[] cut = Arrays.copyOf(record, length);
            try {
                assertThat(Samples.RESULTS).containsAll(ResultRecords.read(cut));
            } catch (LedgerJson.UnreadableException expected) {
                // refused whole
            }
        }
        byte[] noStatus = new byte[]{(byte) 0xC0, 1};
        noStatus = concat(noStatus, Wire.ResultBatch.newBuilder().addResults(ResultProto.write(Samples.RESULTS.getFirst())
                .toBuilder().setOutcome(Wire.Outcome.newBuilder().setReplayed(false))).build().toByteArray());
        byte[] finalNoStatus = noStatus;
        assertThatThrownBy(() -> ResultRecords.read(finalNoStatus)).isInstanceOf(LedgerJson.UnreadableException.class)
                .hasMessageContaining("Outcome lacks required field 'status'");
    }

    /** What the bench's per-topic table counts, for one typical record of each kind. */
    @Test
    void the_binary_records_are_smaller_than_the_json_ones() {
        String client = UUID.randomUUID().toString();
        CommandEnvelope transfer = CommandEnvelope.fromClient(client, Instant.now(), new InitiateTransfer(
                new TransferRequest("t-000123", "acct-0007", "acct-0042", 2500, Samples.EUR, null, Map.of())));
        CommandEnvelope step = new CommandEnvelope("t-000123/ReserveFunds", "ReserveFunds", Instant.now(), "t-000123",
                UUID.randomUUID().toString(), new ReserveFunds("acct-0007", "t-000123", 2500, Samples.EUR, "acct-0042"), client);
        CommandResult result = new CommandResult("t-000123", client, dev.ledger.domain.Outcome.of(
                dev.ledger.domain.Outcome.Status.COMPLETED, Map.of("acct-0042", 17L, "transfer/t-000123", 2L,
                        "movement/acct-0007/t-000123", 1L)));

        int[][] sizes = {
                {JsonBatches.commands(List.of(transfer)).length, CommandRecords.write(List.of(transfer)).length},
                {JsonBatches.commands(List.of(step)).length, CommandRecords.write(List.of(step)).length},
                {JsonBatches.results(List.of(result)).length, ResultRecords.write(List.of(result)).length}};
        String[] names = {"client InitiateTransfer", "saga step ReserveFunds", "result COMPLETED"};
        for (int i = 0; i < sizes.length; i++) {
            System.out.printf("%s: JSON %d B, binary %d B%n", names[i], sizes[i][0], sizes[i][1]);
            assertThat(sizes[i][1]).as(names[i]).isLessThan(sizes[i][0]);
        }
    }

    // ------------------------------------------------------------------ helpers

    private record Cleared(String path, Message message) {
    }

    /** The message once for each field present in it (nested ones too), with that one field removed. */
    private static List<Cleared> oneFieldCleared(Message message, String path) {
        var out = new ArrayList<Cleared>();
        for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
            if (field.isRepeated() || !message.hasField(field)) continue;
            String at = path + field.getJsonName();
            out.add(new Cleared(at, message.toBuilder().clearField(field).build()));
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                    && !field.getMessageType().getFullName().equals("google.protobuf.Timestamp")) {
                for (Cleared inner : oneFieldCleared((Message) message.getField(field), at + "/")) {
                    out.add(new Cleared(inner.path(), message.toBuilder().setField(field, inner.message()).build()));
                }
            }
        }
        return out;
    }

    /** Whether the JSON reader reads the same envelope written as JSON with the same field left out. */
    private static boolean jsonReadsWithout(Wire.CommandEnvelope wire, String path) {
        ObjectNode json = (ObjectNode) JsonSchemas.tree(LedgerJson.writeCommand(CommandProto.read(wire.toByteArray())));
        String[] steps = path.split("/");
        ObjectNode parent = json;
        for (int i = 0; i < steps.length - 1; i++) {
            parent = (ObjectNode) (i == 0 ? parent.get("data") : parent.get(steps[i]));
        }
        // without the command member itself, the JSON envelope has no data
        boolean isCommandMember = steps.length == 1 && wire.getDescriptorForType().getFields().stream()
                .anyMatch(f -> f.getJsonName().equals(path) && f.getRealContainingOneof() != null);
        parent.remove(isCommandMember ? "data" : steps[steps.length - 1]);
        try {
            LedgerJson.readCommand(LedgerJson.writeValue(json));
            return true;
        } catch (LedgerJson.UnreadableException e) {
            return false;
        }
    }

    private static String last(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static void assertUnreadable(Wire.CommandEnvelope envelope, String reason) {
        assertThat(CommandRecords.read(batchOf(envelope.toByteArray()))).singleElement()
                .isInstanceOfSatisfying(CommandRecords.Unreadable.class, u -> assertThat(u.reason()).contains(reason));
    }

    static Wire.CommandEnvelope wire(CommandEnvelope envelope) {
        return CommandProto.parse(CommandProto.write(envelope));
    }

    static byte[] batchOf(byte[]... elements) {
        var batch = Wire.CommandBatch.newBuilder();
        for (byte[] element : elements) batch.addCommands(ByteString.copyFrom(element));
        return concat(new byte[]{(byte) 0xC1, 1}, batch.build().toByteArray());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ------------------------------------------------------------------ arbitraries

    @Provide
    Arbitrary<List<CommandEnvelope>> envelopes() {
        return envelope().list().ofMinSize(1).ofMaxSize(8);
    }

    private static Arbitrary<CommandEnvelope> envelope() {
        Arbitrary<Instant> instants = Combinators.combine(Arbitraries.longs().between(-100_000_000_000L, 100_000_000_000L),
                Arbitraries.integers().between(0, 999_999_999)).as(Instant::ofEpochSecond);
        return Combinators.combine(AnyText.any(), instants, AnyText.any(), AnyText.any(), command(), AnyText.any().injectNull(0.5))
                .as((id, at, correlation, causation, command, origin) -> new CommandEnvelope(id,
                        LedgerJson.typeName(command), at, correlation, causation, command, origin));
    }

    private static Arbitrary<LedgerCommand> command() {
        Arbitrary<String> t = AnyText.any();
        Arbitrary<Long> n = Arbitraries.longs();
        Arbitrary<Currency> currency = Arbitraries.of(List.copyOf(Currency.getAvailableCurrencies()));
        Arbitrary<Reason> reason = Arbitraries.of(Reason.class);
        Arbitrary<Map<String, String>> metadata = Arbitraries.maps(t, t).ofMaxSize(4);
        return Arbitraries.oneOf(
                Combinators.combine(t, currency, n, Arbitraries.of(true, false), metadata).as(OpenAccount::new),
                t.map(CloseAccount::new),
                Combinators.combine(t, t, n, currency, t).as(ReserveFunds::new),
                Combinators.combine(t, t, n, currency, t, n).as(CreditAccount::new),
                Combinators.combine(t, t, t, n).as(CaptureReservation::new),
                Combinators.combine(t, t, reason).as(ReleaseReservation::new),
                Combinators.combine(t, t, t, n, currency, t.injectNull(0.3), metadata)
                        .as((id, debit, credit, amount, cur, ref, meta) ->
                                new InitiateTransfer(new TransferRequest(id, debit, credit, amount, cur, ref, meta))),
                Combinators.combine(t, n, n).as(CompleteTransfer::new),
                Combinators.combine(t, reason, Arbitraries.maps(t, n).ofMaxSize(3)).as(RejectTransfer::new));
    }
}
