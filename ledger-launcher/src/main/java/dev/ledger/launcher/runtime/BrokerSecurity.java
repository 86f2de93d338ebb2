package dev.ledger.launcher.runtime;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A broker listener that takes SASL/SCRAM-SHA-512 over TLS (SASL_SSL) instead of plaintext, with the SCRAM
 * users created when the storage is formatted: no client reaches the broker without a password, and none
 * reads the traffic. The controller listener stays plaintext on loopback, where only the broker itself talks.
 *
 * <p>For tests and trials of a secured ledger on one machine: the passwords are in the broker's
 * server.properties in the data directory and on the command line of the one-off storage format.
 *
 * @param keyStore           the broker's certificate and private key (PKCS12), valid for 127.0.0.1
 * @param trustStore         what the broker trusts when it connects to itself as a client (PKCS12)
 * @param storePassword      the password of both stores and of the private key
 * @param interBrokerUser    the SCRAM user the broker logs in as, one of {@code users}
 * @param users              every SCRAM user and its password
 */
public record BrokerSecurity(Path keyStore, Path trustStore, String storePassword, String interBrokerUser,
                             Map<String, String> users) {
    public static final String MECHANISM = "SCRAM-SHA-512";
    static final String LISTENER = "SASL_SSL";

    public BrokerSecurity {
        Objects.requireNonNull(keyStore, "keyStore");
        Objects.requireNonNull(trustStore, "trustStore");
        Objects.requireNonNull(storePassword, "storePassword");
        users = Map.copyOf(users);
        if (!users.containsKey(interBrokerUser)) {
            throw new IllegalArgumentException("the inter-broker user " + interBrokerUser + " is not one of the users");
        }
        users.forEach((name, password) -> {
            // the storage tool's --add-scram syntax has no escapes
            if (!name.matches("[A-Za-z0-9_.-]+") || !password.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("SCRAM user names and passwords here are letters, digits, '_', '.', '-'");
            }
        });
    }

    /** The client properties of a client that logs in as {@code user} with {@code password} and trusts the broker. */
    public Map<String, String> clientProperties(String user, String password) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("security.protocol", LISTENER);
        props.put("sasl.mechanism", MECHANISM);
        props.put("sasl.jaas.config", jaas(user, password));
        props.put("ssl.truststore.type", "PKCS12");
        props.put("ssl.truststore.location", trustStore.toString());
        props.put("ssl.truststore.password", storePassword);
        return props;
    }

    Map<String, String> interBrokerClientProperties() {
        return clientProperties(interBrokerUser, users.get(interBrokerUser));
    }

    /** The broker's own side of the listener. */
    Map<String, String> serverProperties() {
        String prefix = "listener.name." + LISTENER.toLowerCase(Locale.ROOT) + ".";
        Map<String, String> props = new LinkedHashMap<>();
        props.put("sasl.enabled.mechanisms", MECHANISM);
        props.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
        props.put(prefix + MECHANISM.toLowerCase(Locale.ROOT) + ".sasl.jaas.config", jaas(interBrokerUser, users.get(interBrokerUser)));
        props.put("ssl.keystore.type", "PKCS12");
        props.put("ssl.keystore.location", keyStore.toString());
        props.put("ssl.keystore.password", storePassword);
        props.put("ssl.key.password", storePassword);
        props.put("ssl.truststore.type", "PKCS12");
        props.put("ssl.truststore.location", trustStore.toString());
        props.put("ssl.truststore.password", storePassword);
        return props;
    }

    /** {@code kafka-storage format} arguments that create every user's SCRAM credential. */
    List<String> formatArguments() {
        return users.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .flatMap(u -> List.of("--add-scram", MECHANISM + "=[name=" + u.getKey() + ",password=" + u.getValue() + "]").stream())
                .toList();
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    @Override
    public String toString() {
        return "BrokerSecurity[" + LISTENER + " " + MECHANISM + ", users=" + users.keySet() + "]";
    }
}
