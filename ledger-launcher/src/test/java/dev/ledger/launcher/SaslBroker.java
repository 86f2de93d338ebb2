package dev.ledger.launcher;

import dev.ledger.launcher.runtime.BrokerSecurity;
import dev.ledger.launcher.runtime.DataDirectory;
import dev.ledger.launcher.runtime.DataDirectoryLock;
import dev.ledger.launcher.runtime.KafkaBrokerProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real broker of its own whose only client listener is SASL_SSL with SCRAM-SHA-512, in a temp
 * directory: a throwaway certificate for 127.0.0.1 made with the JDK's keytool, and SCRAM users created
 * when its storage is formatted. The shared broker of the other tests stays plaintext.
 */
final class SaslBroker implements AutoCloseable {
    static final String BROKER_USER = "broker";
    private static final long KEYTOOL_TIMEOUT_S = 60;

    private final Path root;
    private final DataDirectoryLock lock;
    private final KafkaBrokerProcess broker;
    private final BrokerSecurity security;

    private SaslBroker(Path root, DataDirectoryLock lock, KafkaBrokerProcess broker, BrokerSecurity security) {
        this.root = root;
        this.lock = lock;
        this.broker = broker;
        this.security = security;
    }

    /** @param users SCRAM users besides the broker's own, and their passwords */
    static SaslBroker start(Map<String, String> users) {
        Path root = createTempDirectory();
        Path tls = root.resolve("tls");
        String storePassword = randomSecret();
        Path keyStore = tls.resolve("broker.p12");
        Path trustStore = tls.resolve("truststore.p12");
        createTlsStores(keyStore, trustStore, storePassword);
        Map<String, String> allUsers = new HashMap<>(users);
        allUsers.put(BROKER_USER, randomSecret());
        var security = new BrokerSecurity(keyStore, trustStore, storePassword, BROKER_USER, allUsers);
        DataDirectory dir = new DataDirectory(root.resolve("data"));
        DataDirectoryLock lock = dir.lock();
        try {
            return new SaslBroker(root, lock, KafkaBrokerProcess.start(dir, dir.loadOrChoosePorts(), security), security);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    static String randomSecret() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    Path trustStore() {
        return security.trustStore();
    }

    String trustStorePassword() {
        return security.storePassword();
    }

    /** Everything a client needs to log in as {@code user}. */
    Map<String, String> clientProperties(String user, String password) {
        return security.clientProperties(user, password);
    }

    @Override
    public void close() {
        try {
            broker.close();
        } finally {
            lock.close();
            DataDirectory.deleteTree(root);
        }
    }

    /** A key pair and self-signed certificate for 127.0.0.1 and localhost, and a trust store holding it. */
    private static void createTlsStores(Path keyStore, Path trustStore, String password) {
        try {
            Files.createDirectories(keyStore.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path certificate = keyStore.resolveSibling("broker.pem");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", password, "-keypass", password);
        keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", keyStore.toString(), "-storepass", password,
                "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", certificate.toString(),
                "-storetype", "PKCS12", "-keystore", trustStore.toString(), "-storepass", password);
    }

    private static void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(KEYTOOL_TIMEOUT_S, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path createTempDirectory() {
        try {
            return Files.createTempDirectory("ledger-sasl-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
