package dev.ledger.launcher.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Properties;

/**
 * The TCP ports of one data directory. Chosen once, on first start, and reused on every restart so
 * that clients configured against a running {@code ./ledger dev} keep working after a restart.
 *
 * @param httpPort 0 until the dev command has chosen one (it defaults to 8080, not to a random port)
 */
public record Ports(int kafkaBrokerPort, int kafkaControllerPort, int postgresPort, int httpPort) {

    /** Every embedded server listens on IPv4 loopback only: a dev runtime must not be reachable from the network. */
    public static final String LOOPBACK = "127.0.0.1";

    static final String KAFKA_BROKER = "kafka.broker.port";
    static final String KAFKA_CONTROLLER = "kafka.controller.port";
    static final String POSTGRES = "postgres.port";
    static final String HTTP = "http.port";

    public Ports {
        requireValid(kafkaBrokerPort, KAFKA_BROKER, false);
        requireValid(kafkaControllerPort, KAFKA_CONTROLLER, false);
        requireValid(postgresPort, POSTGRES, false);
        requireValid(httpPort, HTTP, true);
    }

    /** Three free loopback ports for Kafka and PostgreSQL; the HTTP port stays unchosen. */
    static Ports chooseFree() {
        // Hold all three sockets open at once, so that the OS cannot hand out the same port twice.
        try (ServerSocket broker = bindEphemeral();
             ServerSocket controller = bindEphemeral();
             ServerSocket postgres = bindEphemeral()) {
            return new Ports(broker.getLocalPort(), controller.getLocalPort(), postgres.getLocalPort(), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("could not pick free ports on 127.0.0.1", e);
        }
    }

    public Ports withHttpPort(int port) {
        return new Ports(kafkaBrokerPort, kafkaControllerPort, postgresPort, port);
    }

    public boolean hasHttpPort() {
        return httpPort != 0;
    }

    Properties toProperties() {
        Properties props = new Properties();
        props.setProperty(KAFKA_BROKER, Integer.toString(kafkaBrokerPort));
        props.setProperty(KAFKA_CONTROLLER, Integer.toString(kafkaControllerPort));
        props.setProperty(POSTGRES, Integer.toString(postgresPort));
        if (hasHttpPort()) props.setProperty(HTTP, Integer.toString(httpPort));
        return props;
    }

    static Ports fromProperties(Properties props) {
        return new Ports(
                parse(props, KAFKA_BROKER, null),
                parse(props, KAFKA_CONTROLLER, null),
                parse(props, POSTGRES, null),
                parse(props, HTTP, "0"));
    }

    private static int parse(Properties props, String key, String fallback) {
        String value = props.getProperty(key, fallback);
        if (value == null) throw new IllegalStateException("ports.properties lacks " + key);
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("ports.properties: " + key + " is not a number: " + value, e);
        }
    }

    private static void requireValid(int port, String name, boolean zeroAllowed) {
        if ((port == 0 && zeroAllowed) || (port > 0 && port <= 65535)) return;
        throw new IllegalArgumentException(name + " out of range: " + port);
    }

    /**
     * Fails with a message naming the port's role when something else already listens on it, instead of
     * letting a child server die with a bind error buried in its log.
     */
    static void requireFree(int port, String role) {
        try (ServerSocket socket = new ServerSocket()) {
            // Same option the servers use, so that a port left in TIME_WAIT by a stopped server counts as free.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(LOOPBACK, port));
        } catch (IOException e) {
            throw new IllegalStateException("the " + role + " port " + LOOPBACK + ":" + port
                    + " (from ports.properties) is taken by another process; stop that process, or use another"
                    + " --data-dir, or --fresh (which deletes the data) to pick new ports", e);
        }
    }

    private static ServerSocket bindEphemeral() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(LOOPBACK, 0));
        return socket;
    }
}
