package dev.ledger.kafka;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
