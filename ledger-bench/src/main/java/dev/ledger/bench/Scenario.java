package dev.ledger.bench;

/**
 * How clients submit: {@link #SINGLE} one transfer per request from many concurrent clients,
 * {@link #BATCH} requests of many transfers (1000 by default) from a few clients (both closed loops);
 * {@link #OPEN_LOOP} single transfers sent at a constant rate whatever the answers (the ledgers only).
 */
public enum Scenario {
    SINGLE("single"),
    BATCH("batch"),
    OPEN_LOOP("open-loop");

    private final String key;

    Scenario(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}
