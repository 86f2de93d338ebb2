package dev.ledger.launcher;

import dev.ledger.command.LedgerCommandProcessor;
import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.TopicNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.nio.file.Path;
import java.util.HexFormat;

/**
 * A second command processor instance in its own JVM, for the crash test to kill with SIGKILL:
 * no shutdown hook runs, its open transaction is left for the broker to abort.
 * Arguments: bootstrap servers, jdbc url, topic prefix, application id prefix, state dir, key (hex).
 */
public final class ProcessorChild {
    private ProcessorChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        var config = new LedgerConfig(args[0], args[1], "unused", "unused", 0, 1, HexFormat.of().parseHex(args[5]),
                Path.of(args[4]), TopicNames.prefixed(args[2]), 20, args[3]);
        var processor = LedgerCommandProcessor.start(config, new SimpleMeterRegistry(), ProcessorCrashTest.FAST_FAILOVER);
        while (!processor.isRunning()) Thread.sleep(50);
        System.out.println("RUNNING");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
