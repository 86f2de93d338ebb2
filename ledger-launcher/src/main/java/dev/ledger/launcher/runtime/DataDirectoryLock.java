package dev.ledger.launcher.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exclusive lock of one launcher on a data directory.
 *
 * <p>Why: the stale-process recovery stops any broker or PostgreSQL found through the pid files. That is
 * only safe when no live launcher owns them. The OS drops this lock when its holder dies, even by
 * SIGKILL, so holding it proves that whatever the pid files name was left behind by a dead launcher.
 */
public final class DataDirectoryLock implements AutoCloseable {
    /**
     * Lock files held by this JVM. POSIX record locks belong to the process, and closing any descriptor
     * of the file drops them, so a second attempt from this JVM must not even open the file.
     */
    private static final Set<Path> HELD_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    static DataDirectoryLock acquire(Path file) {
        if (!HELD_IN_THIS_JVM.add(file)) throw alreadyLocked(file, " (this process)");
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException heldInThisJvm) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw alreadyLocked(file, holderDescription(file));
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
            channel.force(false);
            return new DataDirectoryLock(file, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            HELD_IN_THIS_JVM.remove(file);
            throw new UncheckedIOException("could not lock " + file, e);
        } catch (RuntimeException e) {
            HELD_IN_THIS_JVM.remove(file);
            throw e;
        }
    }

    private static IllegalStateException alreadyLocked(Path file, String holder) {
        return new IllegalStateException("another ledger launcher" + holder + " is using the data directory "
                + file.getParent().getParent() + "; stop it first, or pass another --data-dir");
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        if (!channel.isOpen()) return;
        try {
            if (lock.isValid()) lock.release();
        } catch (IOException ignored) {
            // The lock dies with the channel anyway.
        }
        closeQuietly(channel);
        HELD_IN_THIS_JVM.remove(file);
    }

    private static String holderDescription(Path file) {
        try {
            String pid = Files.readString(file, StandardCharsets.US_ASCII).strip();
            return pid.isEmpty() ? "" : " (pid " + pid + ")";
        } catch (IOException e) {
            return "";
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing left to release.
        }
    }
}
