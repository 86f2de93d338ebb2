package dev.ledger.command;

import dev.ledger.kafka.CommandStages;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * What the command processor reports.
 *
 * @param deadLettered   commands this process dead-lettered since it started
 * @param restoreSkipped records and events a restore kept out of the state
 * @param fetched        per command decided, {@link CommandStages#FETCHED}: from its record's timestamp
 *                       to the decision
 */
record ProcessorMeters(Counter deadLettered, Counter restoreSkipped, Timer fetched) {
    static ProcessorMeters register(MeterRegistry registry) {
        // this process's own, since it started; the gauge of DeadLetterTally counts the whole topic
        return new ProcessorMeters(
                Counter.builder("ledger.commands.dead.lettered")
                        .description("commands this process could not read, found invalid, or could not prove it wrote, "
                                + "sent to the dead-letter topic since it started")
                        .register(registry),
                Counter.builder("ledger.command.restore.skipped")
                        .description("records and events of the event log a state restore kept out of the state: "
                                + "unreadable, or not linked into their aggregate's hash chain under the ledger key")
                        .register(registry),
                // a mean and a maximum, no histogram: it is recorded for every command of a batch
                Timer.builder(CommandStages.METRIC).description(CommandStages.DESCRIPTION)
                        .tag(CommandStages.TAG, CommandStages.FETCHED).register(registry));
    }
}
