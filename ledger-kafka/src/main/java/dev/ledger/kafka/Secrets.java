package dev.ledger.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The one rule for a secret the ledger reads from its environment: {@code NAME_FILE} names a file that
 * holds it (Docker and Kubernetes secrets are files), else {@code NAME} holds it. The file wins when both
 * are set, so that a secret mounted later overrides a value left in the environment. A secret is never
 * logged; an error names the variable and the file, never the content.
 */
public final class Secrets {
    public static final String FILE_SUFFIX = "_FILE";

    private Secrets() {
    }

    /** The secret named {@code name}: from the file {@code name_FILE} names, else the variable itself. */
    public static Optional<String> fromEnvironment(Map<String, String> env, String name) {
        String file = env.get(name + FILE_SUFFIX);
        if (file != null) return Optional.of(readFile(Path.of(file), name + FILE_SUFFIX));
        return Optional.ofNullable(env.get(name));
    }

    /** A secret file's content without the line break an editor or {@code echo} leaves at its end. */
    public static String readFile(Path file, String variable) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).replaceAll("[\\r\\n]+$", "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (" + variable + ")", e);
        }
    }
}
