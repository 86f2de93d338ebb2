package dev.ledger.launcher.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data directory's files, without starting any server. */
class DataDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void generatesTheKeyOnceAsOwnerOnlyHex() throws Exception {
        DataDirectory dir = new DataDirectory(tmp.resolve("data"));
        byte[] key = dir.loadOrCreateKey();

        assertThat(key).hasSize(32);
        assertThat(Files.readString(dir.keyFile()).strip()).hasSize(64).matches("[0-9a-f]+");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.keyFile()))).isEqualTo("rw-------");
        assertThat(new DataDirectory(tmp.resolve("data")).loadOrCreateKey()).isEqualTo(key);
    }

    @Test
    void choosesPortsOnceAndKeepsThem() {
        DataDirectory dir = new DataDirectory(tmp.resolve("data"));
        Ports chosen = dir.loadOrChoosePorts();

        assertThat(List.of(chosen.kafkaBrokerPort(), chosen.kafkaControllerPort(), chosen.postgresPort()))
                .doesNotHaveDuplicates()
                .allMatch(port -> port > 0);
        assertThat(chosen.hasHttpPort()).isFalse();
        assertThat(dir.loadOrChoosePorts()).isEqualTo(chosen);

        dir.savePorts(chosen.withHttpPort(8080));
        assertThat(new DataDirectory(tmp.resolve("data")).readPorts()).contains(chosen.withHttpPort(8080));
    }

    @Test
    void wipeDeletesEverythingButTheHeldLock() throws Exception {
        DataDirectory dir = new DataDirectory(tmp.resolve("data"));
        try (DataDirectoryLock lock = dir.lock()) {
            dir.create();
            dir.loadOrCreateKey();
            dir.loadOrChoosePorts();
            Files.writeString(dir.kafkaDir().resolve("meta.properties"), "x");

            dir.wipe();

            try (var left = Files.walk(dir.root())) {
                assertThat(left.filter(Files::isRegularFile)).containsExactly(lock.file());
            }
        }
    }

    @Test
    void aSecondLockOnTheSameDirectoryIsRefused() {
        DataDirectory dir = new DataDirectory(tmp.resolve("data"));
        try (DataDirectoryLock held = dir.lock()) {
            assertThat(held.file()).exists();
            assertThatThrownBy(() -> new DataDirectory(tmp.resolve("data")).lock())
                    .hasMessageContaining("another ledger launcher");
        }
        dir.lock().close();
    }

    @Test
    void resolvesSymlinksSoThatTheSameDirectoryHasOneName() throws Exception {
        Path real = Files.createDirectories(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);

        assertThat(new DataDirectory(link.resolve("data")).root()).isEqualTo(new DataDirectory(real.resolve("data")).root());
    }

    @Test
    void matchesCommandLineTokensWhole() {
        String line = "java -cp a.jar kafka.Kafka /x/data/run/server.properties";

        assertThat(OsProcesses.hasToken(line, "kafka.Kafka")).isTrue();
        assertThat(OsProcesses.hasToken(line, "/x/data/run/server.properties")).isTrue();
        assertThat(OsProcesses.hasToken(line, "/x/dat/run/server.properties")).isFalse();
        assertThat(OsProcesses.hasToken("postgres -D /x/data2/postgres -p 5", "/x/data/postgres")).isFalse();
        assertThat(OsProcesses.hasToken("postgres -D /x/data/postgres -p 5", "/x/data/postgres")).isTrue();
    }
}
