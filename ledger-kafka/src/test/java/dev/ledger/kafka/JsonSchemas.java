package dev.ledger.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion.VersionFlag;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The JSON Schemas of {@code schemas/} at the repository root, loaded once each. */
final class JsonSchemas {

    static final Path ROOT = repositoryRoot().resolve("schemas");

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(VersionFlag.V202012);
    // format is only an annotation in 2020-12 unless asked for; timestamps must really be RFC 3339
    private static final SchemaValidatorsConfig CONFIG =
            SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    private static final Map<String, JsonSchema> LOADED = new ConcurrentHashMap<>();

    private JsonSchemas() {
    }

    static Path file(String relativePath) {
        return ROOT.resolve(relativePath);
    }

    static Set<ValidationMessage> errors(String schemaPath, JsonNode instance) {
        return schema(schemaPath).validate(instance);
    }

    static void assertValid(String schemaPath, JsonNode instance) {
        assertThat(errors(schemaPath, instance)).as("%s against %s", instance, schemaPath).isEmpty();
    }

    static JsonNode tree(byte[] json) {
        try {
            return LedgerJson.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode tree(Path file) {
        try {
            return LedgerJson.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonSchema schema(String relativePath) {
        return LOADED.computeIfAbsent(relativePath, path -> {
            Path file = file(path);
            assertThat(file).as("schema file").exists();
            JsonSchema schema = FACTORY.getSchema(SchemaLocation.of(file.toUri().toString()), CONFIG);
            schema.initializeValidators(); // resolve every $ref now, so a broken one fails here
            return schema;
        });
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("schemas")) && Files.exists(dir.resolve("pom.xml"))) return dir;
        }
        throw new IllegalStateException("no schemas/ above " + Path.of("").toAbsolutePath());
    }
}
