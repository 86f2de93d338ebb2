package dev.ledger.kafka;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The binary records, frozen: each golden file holds a record as hex, as the ledger wrote it at that
 * format version (a command record of one command of each type, and a result record of every sample
 * result). The log keeps every record forever, so each must still read to exactly the sample it was
 * written from; and today's writer must still write those very bytes, so that the format never changes
 * by accident (a deliberate change is a new format version, with its own directory beside this one).
 * The JSON batch records written before the binary format are frozen beside them and still read.
 */
final class BinaryGoldenSamplesTest {
    private static final Path GOLDEN = goldenRoot();
    private static final Path BINARY = GOLDEN.resolve("binary-v1");

    @Test
    void every_command_type_has_a_frozen_binary_record_that_reads_back_to_its_sample_and_is_written_the_same_today() {
        String missing = LedgerJson.commandTypes().keySet().stream().sorted()
                .filter(type -> !Files.exists(commandFile(type)))
                .map(type -> "%s:%n%s".formatted(GOLDEN.relativize(commandFile(type)), hex(commandRecord(type))))
                .collect(Collectors.joining("\n"));
        if (!missing.isEmpty()) fail("no golden binary sample; freeze the current format (hex) there:%n%s", missing);

        for (String type : LedgerJson.commandTypes().keySet()) {
            byte[] frozen = bytes(commandFile(type));
            assertThat(CommandRecords.read(frozen)).as(type).singleElement()
                    .isInstanceOfSatisfying(CommandRecords.Readable.class,
                            r -> assertThat(r.envelope()).isEqualTo(Samples.firstCommand(type)));
            assertThat(hex(commandRecord(type))).as("%s is written as it was frozen", type).isEqualTo(hex(frozen));
        }
    }

    @Test
    void every_event_type_has_frozen_binary_bytes_that_read_back_to_its_sample_and_are_written_the_same_today() {
        assertFrozenEvents(LedgerJson.eventTypes().keySet().stream().sorted().map(Samples::firstEvent).toList(), "events");
    }

    /**
     * Events as the engine writes them: canonical UUIDs as 16 bytes, an instant of whole milliseconds, and a
     * saga step's events without the command id, causation, correlation and aggregate that
     * {@link EventDefaults} rebuilds (and the debit of a transfer settled whole, which stands for its
     * reservation step): these bytes pin those rules.
     */
    @Test
    void the_events_of_an_engine_transfer_have_frozen_binary_bytes_that_read_back_and_are_written_the_same_today() {
        assertFrozenEvents(ENGINE_TRANSFER, "events/engine");
    }

    private static final List<EventEnvelope> ENGINE_TRANSFER = engineTransfer();

    private static List<EventEnvelope> engineTransfer() {
        String client = "8f14e45f-ceea-467f-a0e6-7c3c0b6bc1a2";
        Instant at = Instant.parse("2026-12-01T14:00:00.123Z");
        var initiated = new dev.ledger.domain.transfer.TransferEvent.TransferInitiated("single-20391", "acct-1742",
                "acct-311", 48_213, Samples.EUR, null, java.util.Map.of());
        String initiatedId = CommandEngine.eventId(client, "single-20391", 0);
        var reserved = new dev.ledger.domain.account.AccountEvent.FundsReserved("acct-1742", "single-20391", 48_213, "acct-311");
        String reserveStep = "single-20391/ReserveFunds";
        String reservedId = CommandEngine.eventId(reserveStep, "acct-1742", 0);
        var credited = new dev.ledger.domain.account.AccountEvent.AccountCredited("acct-311", "single-20391", 48_213, "acct-1742");
        var completed = new dev.ledger.domain.transfer.TransferEvent.TransferCompleted("single-20391", 7, 3);
        // a transfer settled whole writes a debit instead of the reservation and its capture
        var debited = new dev.ledger.domain.account.AccountEvent.AccountDebited("acct-1742", "single-20392", 5_017, "acct-311");
        String settledInitiatedId = CommandEngine.eventId(client, "single-20392", 0);
        return List.of(
                new EventEnvelope(initiatedId, "TransferInitiated", 1, "single-20391", 1, at, client, "single-20391",
                        client, initiated),
                new EventEnvelope(reservedId, "FundsReserved", 1, "acct-1742", 7, at, reserveStep, "single-20391",
                        initiatedId, reserved),
                new EventEnvelope(CommandEngine.eventId("single-20391/CreditAccount", "acct-311", 0), "AccountCredited", 1,
                        "acct-311", 3, at, "single-20391/CreditAccount", "single-20391", reservedId, credited),
                new EventEnvelope(CommandEngine.eventId("single-20391/CompleteTransfer", "single-20391", 0),
                        "TransferCompleted", 1, "single-20391", 2, at, "single-20391/CompleteTransfer", "single-20391",
                        CommandEngine.eventId("single-20391/CaptureReservation", "acct-1742", 0), completed),
                new EventEnvelope(CommandEngine.eventId("single-20392/ReserveFunds", "acct-1742", 0), "AccountDebited", 1,
                        "acct-1742", 8, at, "single-20392/ReserveFunds", "single-20392", settledInitiatedId, debited));
    }

    private static void assertFrozenEvents(List<EventEnvelope> samples, String directory) {
        String missing = samples.stream().filter(e -> !Files.exists(eventFile(directory, e)))
                .map(e -> "%s:%n%s".formatted(GOLDEN.relativize(eventFile(directory, e)), hex(EventCodec.write(e))))
                .collect(Collectors.joining("\n"));
        if (!missing.isEmpty()) fail("no golden binary sample; freeze the current format (hex) there:%n%s", missing);

        for (EventEnvelope sample : samples) {
            byte[] frozen = bytes(eventFile(directory, sample));
            assertThat(EventCodec.read(frozen)).as(sample.type()).isEqualTo(sample);
            assertThat(hex(EventCodec.write(sample))).as("%s is written as it was frozen", sample.type()).isEqualTo(hex(frozen));
        }
    }

    private static Path eventFile(String directory, EventEnvelope event) {
        return BINARY.resolve(directory).resolve(event.type() + ".hex");
    }

    @Test
    void the_frozen_binary_result_record_reads_back_to_the_samples_and_is_written_the_same_today() {
        Path file = BINARY.resolve("results.hex");
        if (!Files.exists(file)) {
            fail("no golden binary sample; freeze the current format (hex) as %s:%n%s", GOLDEN.relativize(file),
                    hex(ResultRecords.write(Samples.RESULTS)));
        }
        assertThat(ResultRecords.read(bytes(file))).isEqualTo(Samples.RESULTS);
        assertThat(hex(ResultRecords.write(Samples.RESULTS))).isEqualTo(hex(bytes(file)));
    }

    @Test
    void the_frozen_json_batch_records_still_read() throws IOException {
        byte[] commands = Files.readAllBytes(GOLDEN.resolve("v1/records/commands-batch.json"));
        byte[] results = Files.readAllBytes(GOLDEN.resolve("v1/records/results-batch.json"));

        assertThat(CommandRecords.read(commands)).extracting(item -> ((CommandRecords.Readable) item).envelope())
                .containsExactly(Samples.firstCommand("OpenAccount"), Samples.firstCommand("CreditAccount"));
        assertThat(ResultRecords.read(results)).isEqualTo(Samples.RESULTS.subList(0, 2));
    }

    private static byte[] commandRecord(String type) {
        return CommandRecords.write(List.of(Samples.firstCommand(type)));
    }

    private static Path commandFile(String type) {
        return BINARY.resolve("commands").resolve(type + ".hex");
    }

    /** Lines of 64 hex digits; whitespace is ignored on read. */
    private static String hex(byte[] bytes) {
        String all = HexFormat.of().formatHex(bytes);
        var lines = new StringBuilder();
        for (int from = 0; from < all.length(); from += 64) {
            lines.append(all, from, Math.min(all.length(), from + 64)).append('\n');
        }
        return lines.toString();
    }

    private static byte[] bytes(Path hexFile) {
        try {
            return HexFormat.of().parseHex(Files.readString(hexFile, StandardCharsets.US_ASCII).replaceAll("\\s", ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path goldenRoot() {
        try {
            return Path.of(BinaryGoldenSamplesTest.class.getResource("/golden").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
