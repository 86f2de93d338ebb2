package dev.ledger.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.ledger.launcher.runtime.DataDirectory;
import dev.ledger.launcher.runtime.EmbeddedInfrastructure;

/**
 * One real Kafka broker and one real PostgreSQL per test JVM, shared by the integration tests: started
 * on first use in a temp directory, stopped and deleted by a shutdown hook when the JVM exits.
 * Tests that share it keep apart by using their own topic prefixes and databases.
 */
public final class SharedInfrastructure {
    private static EmbeddedInfrastructure infrastructure;

    private SharedInfrastructure() {
    }

    public static String bootstrapServers() {
        return get().bootstrapServers();
    }

    public static String jdbcUrl() {
        return get().jdbcUrl();
    }

    public static String dbUser() {
        return get().dbUser();
    }

    public static String dbPassword() {
        return get().dbPassword();
    }

    public static DataDirectory dataDirectory() {
        return get().dataDirectory();
    }

    public static synchronized EmbeddedInfrastructure get() {
        if (infrastructure == null) {
            Path dir = createTempDirectory();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAndDelete(dir), "shared-infrastructure-stop"));
            infrastructure = EmbeddedInfrastructure.start(new DataDirectory(dir));
        }
        return infrastructure;
    }

    private static void stopAndDelete(Path dir) {
        EmbeddedInfrastructure running;
        synchronized (SharedInfrastructure.class) {
            running = infrastructure;
            infrastructure = null;
        }
        try {
            if (running != null) running.close();
        } finally {
            deleteRecursively(dir);
        }
    }

    private static Path createTempDirectory() {
        try {
            return Files.createTempDirectory("ledger-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try {
            DataDirectory.deleteTree(dir);
        } catch (UncheckedIOException e) {
            System.err.println("could not delete " + dir + ": " + e.getCause());
        }
    }
}
