package dev.ledger.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static dev.ledger.kafka.JsonSchemas.assertValid;
import static dev.ledger.kafka.JsonSchemas.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Records written by earlier versions stay in the log forever, so each golden file (the envelope
 * of one type, frozen by hand when that version was current) must still read and validate, and the
 * reader must keep every field it had: fields are added, never renamed or dropped.
 */
final class GoldenSamplesTest {

    private static final Path GOLDEN = goldenRoot();
    private static final Path CURRENT = GOLDEN.resolve("v" + LedgerJson.SCHEMA_VERSION);

    @Test
    void every_event_type_has_a_golden_sample_of_the_current_version() {
        LedgerJson.eventTypes().keySet().forEach(type -> requireGolden("events", type,
                () -> LedgerJson.writeEvent(Samples.firstEvent(type))));
    }

    @Test
    void every_command_type_has_a_golden_sample_of_the_current_version() {
        LedgerJson.commandTypes().keySet().forEach(type -> requireGolden("commands", type,
                () -> LedgerJson.writeCommand(Samples.firstCommand(type))));
    }

    static Stream<String> goldenEvents() {
        return goldenFiles("events");
    }

    static Stream<String> goldenCommands() {
        return goldenFiles("commands");
    }

    @ParameterizedTest
    @MethodSource("goldenEvents")
    void an_old_event_still_reads_validates_and_keeps_every_field(String golden) throws IOException {
        byte[] frozen = Files.readAllBytes(GOLDEN.resolve(golden));
        JsonNode json = tree(frozen);

        assertValid("event-envelope.json", json);
        assertValid("events/" + json.get("type").asText() + ".json", json.get("data"));
        EventEnvelope read = LedgerJson.readEvent(frozen);
        assertThat(read.type()).isEqualTo(typeOf(golden));
        assertThat(EventCodec.read(frozen)).as("the one entry point every reader uses reads it the same").isEqualTo(read);
        assertThat(EventCodec.read(EventCodec.write(read))).as("and it goes on in binary unchanged").isEqualTo(read);
        assertKeptEveryField(json, tree(LedgerJson.writeEvent(read)), "");
    }

    @ParameterizedTest
    @MethodSource("goldenCommands")
    void an_old_command_still_reads_validates_and_keeps_every_field(String golden) throws IOException {
        byte[] frozen = Files.readAllBytes(GOLDEN.resolve(golden));
        JsonNode json = tree(frozen);

        assertValid("command-envelope.json", json);
        assertValid("commands/" + json.get("type").asText() + ".json", json.get("data"));
        CommandEnvelope read = LedgerJson.readCommand(frozen);
        assertThat(read.type()).isEqualTo(typeOf(golden));
        assertKeptEveryField(json, tree(LedgerJson.writeCommand(read)), "");
    }

    /** Reading an old record and writing it again today keeps each of its values where it was. */
    private static void assertKeptEveryField(JsonNode frozen, JsonNode rewritten, String path) {
        if (!frozen.isObject()) {
            assertThat(rewritten).as("value at %s", path).isEqualTo(frozen);
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = frozen.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String at = path + "/" + field.getKey();
            if (at.equals("/schemaVersion")) continue; // an upcast record is written at today's version
            assertThat(rewritten.has(field.getKey())).as("field %s is still written", at).isTrue();
            assertKeptEveryField(field.getValue(), rewritten.get(field.getKey()), at);
        }
    }

    private static void requireGolden(String kind, String type, Supplier<byte[]> current) {
        Path file = CURRENT.resolve(kind).resolve(type + ".json");
        if (!Files.exists(file)) {
            fail("no golden sample %s; freeze the current format of %s there (pretty-printing is fine):%n%s",
                    GOLDEN.relativize(file), type, new String(current.get(), StandardCharsets.UTF_8));
        }
    }

    private static String typeOf(String golden) {
        return Path.of(golden).getFileName().toString().replace(".json", "");
    }

    /** Paths relative to the golden root, such as {@code v1/events/FundsReserved.json}. */
    private static Stream<String> goldenFiles(String kind) {
        try (Stream<Path> files = Files.walk(GOLDEN)) {
            return files.filter(file -> file.getParent().getFileName().toString().equals(kind))
                    .filter(file -> file.toString().endsWith(".json"))
                    .map(file -> GOLDEN.relativize(file).toString())
                    .sorted()
                    .toList()
                    .stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path goldenRoot() {
        try {
            return Path.of(GoldenSamplesTest.class.getResource("/golden").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
