package dev.ledger.launcher.runtime;

import java.nio.file.Path;

/**
 * A stand-in for a launcher in its own JVM, for the crash-recovery test: starts the embedded
 * infrastructure on the directory given, prints {@link #READY}, then idles until it is killed.
 * Bounded: if nobody kills it, it stops everything and exits after two minutes.
 */
public final class InfrastructureChild {
    static final String READY = "INFRASTRUCTURE READY";
    private static final long IDLE_LIMIT_MS = 120_000;

    private InfrastructureChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        EmbeddedInfrastructure infrastructure = EmbeddedInfrastructure.start(new DataDirectory(Path.of(args[0])));
        System.out.println(READY);
        System.out.flush();
        Thread.sleep(IDLE_LIMIT_MS);
        infrastructure.close();
    }
}
