package dev.ledger.kafka;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * How every Kafka client of the ledger connects beyond the bootstrap servers ({@code security.protocol},
 * {@code sasl.*}, {@code ssl.*} and any other client property), and how many copies the ledger's topics
 * keep. One value for the whole ledger, so that no client can be left on plaintext by mistake.
 *
 * <p>From the environment, later sources overriding earlier ones:
 * <ol>
 *   <li>{@code LEDGER_KAFKA_PROPERTIES}: a client .properties file, every entry passed to every client;</li>
 *   <li>{@code LEDGER_KAFKA_SECURITY_PROTOCOL}, {@code LEDGER_KAFKA_SASL_*}, {@code LEDGER_KAFKA_SSL_*}: the
 *       client property of the same name, lower case with dots ({@code LEDGER_KAFKA_SSL_TRUSTSTORE_LOCATION}
 *       is {@code ssl.truststore.location}); with the suffix {@code _FILE} the value is read from that file,
 *       so that secrets stay out of the environment;</li>
 *   <li>{@code LEDGER_KAFKA_SASL_USERNAME} with {@code LEDGER_KAFKA_SASL_PASSWORD_FILE} (or
 *       {@code LEDGER_KAFKA_SASL_PASSWORD}): the {@code sasl.jaas.config} of the SCRAM or PLAIN mechanism.</li>
 * </ol>
 * {@code LEDGER_REPLICATION_FACTOR} and {@code LEDGER_MIN_INSYNC_REPLICAS} (both 1 by default, for one
 * dev broker) set the copies of the ledger's topics and of Kafka Streams' internal topics.
 *
 * @param clientProperties  passed to every client before its own settings (which win: a file cannot turn
 *                          off the ledger's idempotence or read_committed)
 * @param replicationFactor copies of each partition of the ledger's topics
 * @param minInsyncReplicas copies that must have a write before it is acknowledged ({@code acks=all})
 */
public record KafkaSettings(Map<String, String> clientProperties, short replicationFactor, int minInsyncReplicas) {
    /** One dev broker, plaintext on loopback. */
    public static final KafkaSettings DEV = new KafkaSettings(Map.of(), (short) 1, 1);

    static final String PROPERTIES_FILE = "LEDGER_KAFKA_PROPERTIES";
    static final String ENV_PREFIX = "LEDGER_KAFKA_";
    static final String FILE_SUFFIX = Secrets.FILE_SUFFIX;
    static final String SASL_USERNAME = "LEDGER_KAFKA_SASL_USERNAME";
    static final String SASL_PASSWORD = "LEDGER_KAFKA_SASL_PASSWORD";
    static final String MASK = "[hidden]";

    public KafkaSettings {
        clientProperties = Map.copyOf(clientProperties);
        if (clientProperties.containsKey("bootstrap.servers")) {
            throw new IllegalArgumentException("bootstrap.servers comes from LEDGER_KAFKA_BOOTSTRAP_SERVERS, "
                    + "not from the client properties");
        }
        if (replicationFactor < 1) throw new IllegalArgumentException("the replication factor must be at least 1");
        if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException("min.insync.replicas must be between 1 and the replication factor ("
                    + replicationFactor + "), was " + minInsyncReplicas);
        }
    }

    public static KafkaSettings fromEnvironment(Map<String, String> env) {
        Map<String, String> props = new TreeMap<>();
        String file = env.get(PROPERTIES_FILE);
        if (file != null) props.putAll(readProperties(Path.of(file)));
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(ENV_PREFIX) || name.startsWith(SASL_USERNAME) || name.startsWith(SASL_PASSWORD)) continue;
            String property = name.substring(ENV_PREFIX.length());
            boolean fromFile = property.endsWith(FILE_SUFFIX);
            if (fromFile) property = property.substring(0, property.length() - FILE_SUFFIX.length());
            if (!isSecurityProperty(property)) continue;
            props.put(property.toLowerCase(Locale.ROOT).replace('_', '.'),
                    fromFile ? Secrets.readFile(Path.of(e.getValue()), name) : e.getValue());
        }
        String username = env.get(SASL_USERNAME);
        if (username != null) props.put("sasl.jaas.config", jaasConfig(props.get("sasl.mechanism"), username, password(env)));
        return new KafkaSettings(props,
                Short.parseShort(env.getOrDefault("LEDGER_REPLICATION_FACTOR", "1")),
                Integer.parseInt(env.getOrDefault("LEDGER_MIN_INSYNC_REPLICAS", "1")));
    }

    public KafkaSettings withClientProperties(Map<String, String> properties) {
        return new KafkaSettings(properties, replicationFactor, minInsyncReplicas);
    }

    /** The client properties as they may be logged: every password, secret, key and JAAS line hidden. */
    public Map<String, String> masked() {
        Map<String, String> shown = new TreeMap<>();
        clientProperties.forEach((k, v) -> shown.put(k, isSecret(k) ? MASK : v));
        return shown;
    }

    @Override
    public String toString() {
        return "KafkaSettings[clientProperties=" + masked() + ", replicationFactor=" + replicationFactor
                + ", minInsyncReplicas=" + minInsyncReplicas + "]";
    }

    static boolean isSecret(String property) {
        String p = property.toLowerCase(Locale.ROOT);
        return p.contains("password") || p.contains("secret") || p.contains("jaas") || p.endsWith(".key");
    }

    /** Only these come from single variables; the rest of the client's properties go in the file. */
    private static boolean isSecurityProperty(String variableTail) {
        return variableTail.equals("SECURITY_PROTOCOL") || variableTail.startsWith("SASL_") || variableTail.startsWith("SSL_");
    }

    private static String password(Map<String, String> env) {
        return Secrets.fromEnvironment(env, SASL_PASSWORD).orElseThrow(() -> new IllegalArgumentException(
                SASL_USERNAME + " is set but neither " + SASL_PASSWORD + FILE_SUFFIX + " nor " + SASL_PASSWORD + " is"));
    }

    /** SCRAM-SHA-256/512 and PLAIN take a username and a password; other mechanisms need their own JAAS line. */
    static String jaasConfig(String mechanism, String username, String password) {
        if (mechanism == null) {
            throw new IllegalArgumentException(SASL_USERNAME + " needs LEDGER_KAFKA_SASL_MECHANISM (SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN)");
        }
        String module = switch (mechanism) {
            case "SCRAM-SHA-256", "SCRAM-SHA-512" -> "org.apache.kafka.common.security.scram.ScramLoginModule";
            case "PLAIN" -> "org.apache.kafka.common.security.plain.PlainLoginModule";
            default -> throw new IllegalArgumentException("a username and password do not configure SASL mechanism "
                    + mechanism + "; set LEDGER_KAFKA_SASL_JAAS_CONFIG instead");
        };
        return module + " required username=\"" + jaasEscape(username) + "\" password=\"" + jaasEscape(password) + "\";";
    }

    private static String jaasEscape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static Map<String, String> readProperties(Path file) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Kafka client properties " + file + " (" + PROPERTIES_FILE + ")", e);
        }
        Map<String, String> map = new TreeMap<>();
        props.stringPropertyNames().forEach(name -> map.put(name, props.getProperty(name)));
        return map;
    }
}
