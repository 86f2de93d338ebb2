package dev.ledger.launcher;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exactly once across a crash: two processor instances share the partitions; one, in a child JVM,
 * is killed with SIGKILL mid-load; the survivor takes its partitions over. Nothing is lost, nothing
 * is applied twice. Short session and transaction timeouts keep the failover to seconds (the
 * defaults are 45 s and 10 s).
 */
class ProcessorCrashTest {
    static final Map<String, Object> FAST_FAILOVER = Map.of(
            StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6_000,
            StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1_000,
            StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 5_000);
    private static final int CUSTOMERS = 40;
    private static final int TRANSFERS = 1_500;

    @Test
    void a_processor_killed_mid_load_loses_nothing_and_applies_nothing_twice() throws Exception {
        try (var ledger = LedgerHarness.start("crash", FAST_FAILOVER)) {
            Process child = startChildProcessor(ledger);
            try {
                awaitBothInstancesOwnPartitions(ledger);
                var workload = new TransferWorkload(r -> ledger.post("/v1/transfers", r.key(), r.body(),
                        "Prefer", "wait=20"), CUSTOMERS, 7);
                TransferInvariantTest.open(ledger, TransferWorkload.SETTLEMENT, true);
                TransferWorkload.concurrently(workload.customers(), id -> TransferInvariantTest.open(ledger, id, false));
                workload.deposits();

                // when: the child dies with SIGKILL while transfers are in flight
                // own threads throughout: the common pool has a single worker on 2 cores
                var load = new CompletableFuture<Void>();
                Thread.ofPlatform().name("crash-test-load").start(() -> {
                    try {
                        workload.run(TRANSFERS, 24);
                        load.complete(null);
                    } catch (Throwable e) {
                        load.completeExceptionally(e);
                    }
                });
                while (workload.requests.get() < TRANSFERS / 3 && !load.isDone()) Thread.sleep(20);
                child.destroyForcibly(); // SIGKILL on Linux
                assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
                int atKill = workload.requests.get();
                load.get(10, TimeUnit.MINUTES);

                // then
                assertThat(atKill).as("killed mid-load").isLessThan(workload.requests.get());
                var replay = LedgerChecks.settledReplay(ledger::committedEvents);
                LedgerChecks.verify(workload, ledger.committedEvents(), replay, List.of(Instant.now()), ledger.config());
            } finally {
                child.destroyForcibly();
            }
        }
    }

    /** Without this the test could pass with the child owning nothing. */
    private static void awaitBothInstancesOwnPartitions(LedgerHarness ledger) throws Exception {
        String group = ledger.config().applicationIdPrefix() + "-command";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                ledger.config().bootstrapServers()))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                var members = admin.describeConsumerGroups(List.of(group)).all().get().get(group).members();
                long owners = members.stream().filter(m -> m.assignment().topicPartitions().stream()
                        .anyMatch(tp -> tp.topic().equals(ledger.config().topics().commands()))).count();
                if (owners >= 2) return;
                assertThat(System.nanoTime()).as("both processor instances own command partitions").isLessThan(deadline);
                Thread.sleep(250);
            }
        }
    }

    private static Process startChildProcessor(LedgerHarness ledger) throws Exception {
        var config = ledger.config();
        String prefix = config.topics().commands().substring(0, config.topics().commands().length() - "ledger.commands".length());
        Path stateDir = Files.createTempDirectory("ledger-child-state-");
        String java = ProcessHandle.current().info().command().orElse("java");
        var process = new ProcessBuilder(java, "-Xmx384m", "-cp", System.getProperty("java.class.path"),
                ProcessorChild.class.getName(), config.bootstrapServers(), config.jdbcUrl(), prefix,
                config.applicationIdPrefix(), stateDir.toString(), HexFormat.of().formatHex(config.keys().signingKey()))
                .redirectErrorStream(true).start();
        var out = new BufferedReader(new InputStreamReader(process.getInputStream()));
        var ready = new CompletableFuture<Boolean>();
        // reads the child's output to the end, so that it never blocks on a full pipe
        Thread.ofPlatform().daemon().name("processor-child-output").start(() -> {
            out.lines().forEach(line -> {
                if (line.equals("RUNNING")) ready.complete(true);
            });
            ready.complete(false);
        });
        assertThat(ready.get(90, TimeUnit.SECONDS)).as("child processor started").isTrue();
        return process;
    }
}
