package dev.ledger.bench;

/**
 * How clients submit: {@link #SINGLE} one transfer per request from many concurrent clients,
 * {@link #BATCH} requests of many transfers (1000 by default) from a few clients.
 */
public enum Scenario {
    SINGLE("single"),
    BATCH("batch");

    private final String key;

    Scenario(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}
