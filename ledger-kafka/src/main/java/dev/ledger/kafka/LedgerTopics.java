package dev.ledger.kafka;

import org.apache.kafka.common.serialization.Serdes;

/** The typed registry of the ledger's topics. */
public final class LedgerTopics {
    private final TopicNames names;
    private final Topic<String, CommandEnvelope> commands;
    private final Topic<String, EventEnvelope> events;
    private final Topic<String, CommandResult> results;
    private final Topic<String, byte[]> deadLetters;

    public LedgerTopics(TopicNames names) {
        this.names = names;
        this.commands = new Topic<>(names.commands(), Serdes.String(), LedgerSerdes.commands());
        this.events = new Topic<>(names.events(), Serdes.String(), LedgerSerdes.events());
        this.results = new Topic<>(names.results(), Serdes.String(), LedgerSerdes.results());
        this.deadLetters = new Topic<>(names.deadLetters(), Serdes.String(), Serdes.ByteArray());
    }

    public TopicNames names() {
        return names;
    }

    public Topic<String, CommandEnvelope> commands() {
        return commands;
    }

    public Topic<String, EventEnvelope> events() {
        return events;
    }

    public Topic<String, CommandResult> results() {
        return results;
    }

    /** Commands nobody could read, kept byte for byte with the reason in a header. */
    public Topic<String, byte[]> deadLetters() {
        return deadLetters;
    }
}
