package dev.ledger.command;

import dev.ledger.kafka.AggregatePartitions;
import dev.ledger.kafka.LedgerKeys;
import dev.ledger.kafka.LedgerTopics;
import dev.ledger.kafka.ThreadTasks;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * commands -> decide (against the account, transfer and applied-step stores) -> events, the saga's
 * next commands (back onto the commands topic, keyed by the next aggregate), results, dead letters.
 */
public final class CommandTopology {
    static final String SOURCE = "commands-source";
    static final String DECIDE = "decide";

    private CommandTopology() {
    }

    /**
     * @param commandPartitions the commands topic's partition count, as the broker has it
     * @param eventLog          the events topic, co-partitioned with the commands: each task restores its
     *                          aggregates from its own partition of it
     */
    static Topology build(LedgerTopics topics, LedgerKeys keys, ProcessorMeters meters, int commandPartitions,
                          EventLog eventLog) {
        var partitions = new AggregatePartitions(commandPartitions);
        var threadTasks = new ThreadTasks<CommandProcessor.TaskAggregates>();
        var restorePacing = new RestorePacing();
        var outputs = new CommitOutputs();
        var topology = new Topology();
        topology.addSource(SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
                topics.commands().name());
        topology.addProcessor(DECIDE, () -> new CommandProcessor(keys, meters, partitions, threadTasks,
                restorePacing, eventLog, outputs), SOURCE);
        // what the processor decided leaves at the commit, handed over by this store's pre-commit hook
        topology.addStateStore(new PreCommitHook.Builder(), DECIDE);
        // the aggregates and the marks of the steps that wrote events are the event log's facts, rebuilt from it
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(CommandProcessor.ACCOUNTS_STORE), Serdes.String(),
                AggregateSerdes.accounts()).withLoggingDisabled(), DECIDE);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(CommandProcessor.TRANSFERS_STORE), Serdes.String(),
                AggregateSerdes.transfers()).withLoggingDisabled(), DECIDE);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(CommandProcessor.STEPS_WITH_EVENTS_STORE), Serdes.String(),
                Serdes.Long()).withLoggingDisabled(), DECIDE);
        // a step that wrote no event is in no log but this store's changelog
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(CommandProcessor.STEPS_WITHOUT_EVENTS_STORE), Serdes.String(),
                Serdes.Long()), DECIDE);
        var strings = Serdes.String().serializer();
        var bytes = Serdes.ByteArray().serializer();
        topology.addSink(CommandProcessor.EVENTS_SINK, topics.events().name(), strings, bytes, DECIDE);
        topology.addSink(CommandProcessor.COMMANDS_SINK, topics.commands().name(), strings, bytes, DECIDE);
        topology.addSink(CommandProcessor.RESULTS_SINK, topics.results().name(), strings, bytes, DECIDE);
        topology.addSink(CommandProcessor.DEAD_LETTERS_SINK, topics.deadLetters().name(), strings, bytes, DECIDE);
        return topology;
    }
}
