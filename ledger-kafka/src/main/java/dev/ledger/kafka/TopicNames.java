package dev.ledger.kafka;

/** The names of the ledger's topics: configuration, so that a test or an audit can point elsewhere. */
public record TopicNames(String commands, String events, String results, String deadLetters) {
    public static final TopicNames DEFAULT =
            new TopicNames("ledger.commands", "ledger.events", "ledger.results", "ledger.commands.dlq");

    /** The same topics under a prefix, so that tests sharing one broker stay apart. */
    public static TopicNames prefixed(String prefix) {
        return new TopicNames(prefix + "ledger.commands", prefix + "ledger.events",
                prefix + "ledger.results", prefix + "ledger.commands.dlq");
    }
}
