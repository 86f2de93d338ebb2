package dev.ledger.launcher;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.LedgerKeys;
import dev.ledger.kafka.Secrets;
import dev.ledger.kafka.TopicNames;
import dev.ledger.launcher.runtime.DataDirectory;
import dev.ledger.launcher.runtime.KafkaBrokerProcess;
import dev.ledger.launcher.runtime.Ports;
import dev.ledger.launcher.runtime.PostgresServer;

/**
 * Where a client subcommand (audit, bench) finds the ledger: the external cluster named by the
 * environment (LEDGER_KAFKA_BOOTSTRAP_SERVERS and LEDGER_DB_URL), else the {@code ./ledger dev} running
 * on a data directory, reached through its ports.properties and ledger.key (and LEDGER_KEYS_FILE, when set).
 *
 * @param apiUrl   the HTTP API; LEDGER_API_URL overrides the default {@code http://127.0.0.1:<port>}
 * @param external true for an external cluster, false for an embedded dev runtime
 */
public record LedgerTarget(LedgerConfig config, URI apiUrl, boolean external) {
    public static final int DEFAULT_HTTP_PORT = 8080;

    public LedgerTarget {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(apiUrl, "apiUrl");
    }

    /** True when the environment names an external cluster (then nothing embedded is started or looked for). */
    public static boolean externalConfigured(Map<String, String> env) {
        return env.get("LEDGER_KAFKA_BOOTSTRAP_SERVERS") != null && env.get("LEDGER_DB_URL") != null;
    }

    public static LedgerTarget find(Path dataDir, Map<String, String> env) {
        DataDirectory dir = new DataDirectory(dataDir);
        return externalConfigured(env) ? external(dir, env) : runningDev(dir, env);
    }

    private static LedgerTarget external(DataDirectory dir, Map<String, String> env) {
        LedgerConfig config = LedgerConfig.fromEnvironment(env, dir.stateDir(), legacyKey(dir, env, false));
        return new LedgerTarget(config, apiUrl(env, config.httpPort()), true);
    }

    /**
     * With an external cluster, the key of the legacy default id: LEDGER_KEY_HEX when set (then null here),
     * else the data directory's. With LEDGER_KEYS_FILE the data directory's key joins the ring when it
     * exists (the key of everything written before the ring) and none is made: the keys live outside it.
     *
     * @param create whether a missing key is made (the ledger itself) or an error (a client subcommand)
     */
    static byte[] legacyKey(DataDirectory dir, Map<String, String> env, boolean create) {
        if (Secrets.fromEnvironment(env, LedgerKeys.KEY_HEX_VARIABLE).isPresent()) return null;
        if (env.get(LedgerKeys.KEYS_FILE_VARIABLE) != null) return dir.readKey().orElse(null);
        if (create) return dir.loadOrCreateKey();
        return dir.readKey().orElseThrow(() -> new IllegalStateException("neither LEDGER_KEY_HEX nor LEDGER_KEYS_FILE is set and "
                + dir.keyFile() + " does not exist: set LEDGER_KEY_HEX to the ledger's key"));
    }

    /**
     * The embedded dev runtime's keys: the data directory's key is the default id's (LEDGER_KEY_HEX does not
     * replace it, as before key ids), and LEDGER_KEYS_FILE, when set, adds a ring and names the signing key.
     */
    static LedgerKeys embeddedKeys(byte[] dataDirectoryKey, Map<String, String> env) {
        String ring = env.get(LedgerKeys.KEYS_FILE_VARIABLE);
        return LedgerKeys.fromEnvironment(ring == null ? Map.of() : Map.of(LedgerKeys.KEYS_FILE_VARIABLE, ring),
                dataDirectoryKey);
    }

    private static LedgerTarget runningDev(DataDirectory dir, Map<String, String> env) {
        String howToStart = "start one with `./ledger dev" + (isDefault(dir) ? "" : " --data-dir " + dir.root())
                + "`, or set LEDGER_KAFKA_BOOTSTRAP_SERVERS and LEDGER_DB_URL for an external cluster";
        if (!dir.exists()) {
            throw new IllegalStateException("no ledger data directory at " + dir.root() + "; " + howToStart);
        }
        if (!KafkaBrokerProcess.isRunning(dir) || !PostgresServer.isRunning(dir)) {
            throw new IllegalStateException("no `./ledger dev` is running on " + dir.root() + "; " + howToStart);
        }
        Ports ports = dir.readPorts().orElseThrow(() -> new IllegalStateException(dir.portsFile() + " is missing; " + howToStart));
        byte[] key = dir.readKey().orElseThrow(() -> new IllegalStateException(dir.keyFile() + " is missing; " + howToStart));
        int httpPort = ports.hasHttpPort() ? ports.httpPort() : DEFAULT_HTTP_PORT;
        LedgerConfig config = new LedgerConfig(
                KafkaBrokerProcess.bootstrapServers(ports),
                PostgresServer.jdbcUrl(ports.postgresPort()), PostgresServer.USER, PostgresServer.PASSWORD,
                httpPort, LedgerConfig.DEFAULT_PARTITIONS, key, dir.stateDir(), TopicNames.DEFAULT,
                LedgerConfig.DEFAULT_COMMIT_INTERVAL_MS, DevCommand.APPLICATION_ID_PREFIX).withKeys(embeddedKeys(key, env));
        return new LedgerTarget(config, apiUrl(env, httpPort), false);
    }

    private static URI apiUrl(Map<String, String> env, int httpPort) {
        String explicit = env.get("LEDGER_API_URL");
        return URI.create(explicit != null ? explicit : "http://" + Ports.LOOPBACK + ":" + httpPort);
    }

    private static boolean isDefault(DataDirectory dir) {
        return dir.root().equals(new DataDirectory(DataDirectory.DEFAULT).root());
    }
}
