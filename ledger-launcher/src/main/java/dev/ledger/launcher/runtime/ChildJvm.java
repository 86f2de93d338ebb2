package dev.ledger.launcher.runtime;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Command lines for child JVMs that run on this JVM's java binary and class path. */
public final class ChildJvm {
    /** setsid(1) from util-linux; absent on macOS, where children then share our process group. */
    private static final List<Path> SETSID = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));

    private ChildJvm() {
    }

    public static Path javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /**
     * {@code [setsid] java <jvmOptions> <quiet flags> -cp <our class path> <mainClass> <args>}.
     *
     * <p>Why setsid: Ctrl-C in a terminal sends SIGINT to the whole foreground process group. A child in
     * our group would start its own shutdown while the launcher is still closing the application that
     * uses it; in its own session it is stopped by the launcher, in order. setsid execs in place (the
     * child is never a group leader), so the pid we see is the JVM's.
     */
    public static List<String> command(boolean ownSession, List<String> jvmOptions, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        if (ownSession) {
            SETSID.stream().filter(Files::isExecutable).findFirst().ifPresent(setsid -> command.add(setsid.toString()));
        }
        command.add(javaBinary().toString());
        command.addAll(jvmOptions);
        command.addAll(quietFlags());
        command.add("-cp");
        command.add(absoluteClassPath());
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /**
     * Our class path with every entry made absolute: children run in another working directory, where
     * a relative entry such as {@code target/classes} would silently point nowhere.
     */
    static String absoluteClassPath() {
        String separator = File.pathSeparator;
        return Arrays.stream(System.getProperty("java.class.path").split(Pattern.quote(separator)))
                .filter(entry -> !entry.isBlank())
                .map(entry -> Path.of(entry).toAbsolutePath().normalize().toString())
                .collect(Collectors.joining(separator));
    }

    /**
     * Newer JDKs warn on stderr about sun.misc.Unsafe (kafka-clients, JDK 24+) and JNI loading
     * (zstd, snappy, rocksdb; JDK 24+). Both are harmless here; silence them so that real errors stand
     * out in the child's output. The options do not exist on older JDKs, hence the version check.
     */
    static List<String> quietFlags() {
        int feature = Runtime.version().feature();
        List<String> flags = new ArrayList<>();
        if (feature >= 24) {
            flags.add("--enable-native-access=ALL-UNNAMED");
            flags.add("--sun-misc-unsafe-memory-access=allow");
        }
        return flags;
    }
}
