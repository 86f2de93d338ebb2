package dev.ledger.launcher.runtime;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The layout of the ledger's data directory (default {@code ./.ledger-data}):
 * <pre>
 *   kafka/             the broker's log dir (KRaft metadata and topic data)
 *   postgres/          the PostgreSQL cluster
 *   state/             Kafka Streams state stores
 *   run/               pid files, the launcher lock and the configs generated for each start
 *   logs/              logs of the child processes
 *   ports.properties   ports chosen on first start and reused afterwards
 *   ledger.key         the ledger's HMAC key, 32 random bytes in hex, mode 600
 * </pre>
 * The root is kept as an absolute, symlink-free path: the stale-process checks look for it in the
 * command lines of child processes, so it must be spelled the same way on every start.
 */
public final class DataDirectory {
    public static final Path DEFAULT = Path.of(".ledger-data");

    static final String LOCK_FILE = "launcher.lock";
    private static final int KEY_BYTES = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path root;

    public DataDirectory(Path root) {
        this.root = canonical(root);
    }

    public Path root() {
        return root;
    }

    public Path kafkaDir() {
        return root.resolve("kafka");
    }

    public Path postgresDir() {
        return root.resolve("postgres");
    }

    public Path stateDir() {
        return root.resolve("state");
    }

    public Path runDir() {
        return root.resolve("run");
    }

    public Path logsDir() {
        return root.resolve("logs");
    }

    public Path portsFile() {
        return root.resolve("ports.properties");
    }

    public Path keyFile() {
        return root.resolve("ledger.key");
    }

    public Path kafkaPidFile() {
        return runDir().resolve("kafka.pid");
    }

    /** Written by PostgreSQL itself; its first line is the postmaster's pid. */
    public Path postmasterPidFile() {
        return postgresDir().resolve("postmaster.pid");
    }

    public boolean exists() {
        return Files.isDirectory(root);
    }

    /** Creates the directory and its sub-directories (not postgres/, which initdb creates). */
    public DataDirectory create() {
        for (Path dir : List.of(root, kafkaDir(), stateDir(), runDir(), logsDir())) createDirectory(dir);
        return this;
    }

    private static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create " + dir, e);
        }
    }

    /** Takes the exclusive launcher lock, or fails naming the process that holds it. */
    public DataDirectoryLock lock() {
        createDirectory(runDir());
        return DataDirectoryLock.acquire(runDir().resolve(LOCK_FILE));
    }

    /** The persisted ports, choosing and saving free ones on first use. */
    public Ports loadOrChoosePorts() {
        Optional<Ports> existing = readPorts();
        if (existing.isPresent()) return existing.get();
        Ports chosen = Ports.chooseFree();
        savePorts(chosen);
        return chosen;
    }

    public Optional<Ports> readPorts() {
        Path file = portsFile();
        if (!Files.exists(file)) return Optional.empty();
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            props.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
        return Optional.of(Ports.fromProperties(props));
    }

    public void savePorts(Ports ports) {
        createDirectory(root);
        writeAtomically(portsFile(), tmp -> {
            try (Writer writer = Files.newBufferedWriter(tmp, StandardCharsets.ISO_8859_1)) {
                ports.toProperties().store(writer, "Ports of the ledger's dev runtime: chosen once, reused on every restart");
            }
        });
    }

    /** The ledger's HMAC key, generated (32 bytes from SecureRandom, file mode 600) on first use. */
    public byte[] loadOrCreateKey() {
        Optional<byte[]> existing = readKey();
        if (existing.isPresent()) return existing.get();
        createDirectory(root);
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        String hex = HexFormat.of().formatHex(key) + "\n";
        writeAtomically(keyFile(), tmp -> Files.writeString(tmp, hex, StandardCharsets.US_ASCII));
        return key;
    }

    public Optional<byte[]> readKey() {
        Path file = keyFile();
        if (!Files.exists(file)) return Optional.empty();
        try {
            String hex = Files.readString(file, StandardCharsets.US_ASCII).strip();
            byte[] key = HexFormat.of().parseHex(hex);
            if (key.length < 16) throw new IllegalStateException(file + " holds fewer than 16 bytes");
            return Optional.of(key);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(file + " is not a hex-encoded key", e);
        }
    }

    /**
     * Deletes everything in the directory except the launcher lock (so that a caller holding it keeps
     * it). The caller must hold the lock and have stopped the child servers first.
     */
    public void wipe() {
        if (!exists()) return;
        deleteContents(root, runDir().resolve(LOCK_FILE));
    }

    /** Deletes {@code dir} and everything in it; nothing when it does not exist. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        deleteContents(dir, null);
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dir, e);
        }
    }

    /** Deletes everything under {@code dir} except {@code keep} (none when null) and the directories leading to it. */
    static void deleteContents(Path dir, Path keep) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (!file.equals(keep)) Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path visited, IOException failure) throws IOException {
                    if (failure != null) throw failure;
                    boolean holdsKeep = keep != null && keep.startsWith(visited);
                    if (!visited.equals(dir) && !holdsKeep) Files.deleteIfExists(visited);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the contents of " + dir, e);
        }
    }

    @Override
    public String toString() {
        return root.toString();
    }

    @FunctionalInterface
    private interface FileWriter {
        void write(Path tmp) throws IOException;
    }

    /**
     * Writes next to the target, then renames: a launcher killed mid-write must never leave a
     * half-written key or ports file behind. The temp file is created owner-only, so the key is
     * never readable by others, not even briefly.
     */
    private static void writeAtomically(Path target, FileWriter writer) {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            createOwnerOnly(tmp);
            writer.write(tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + target, e);
        }
    }

    private static void createOwnerOnly(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
    }

    private static Path canonical(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        // Resolve symlinks in the longest existing prefix, so the path is the same before and after creation.
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing == null) return absolute;
        try {
            return existing.toRealPath().resolve(existing.relativize(absolute));
        } catch (NoSuchFileException raced) {
            return absolute;
        } catch (IOException e) {
            throw new UncheckedIOException("could not resolve " + path, e);
        }
    }

    static boolean isEmptyDirectory(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            return children.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + dir, e);
        }
    }
}
