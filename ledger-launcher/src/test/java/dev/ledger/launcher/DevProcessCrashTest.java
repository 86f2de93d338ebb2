package dev.ledger.launcher;

import dev.ledger.api.ApiKeySecret;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.launcher.runtime.DataDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole {@code ledger dev} process (launcher, embedded Kafka, PostgreSQL, processors, API) is
 * killed with SIGKILL mid-load, then started again on the same data directory: every accepted
 * transfer is there, none applied twice, and a client retrying with its keys gets the original
 * outcomes.
 */
class DevProcessCrashTest {
    private static final int CUSTOMERS = 20;
    private static final int TRANSFERS = 600;
    private static final String ADMIN_API_KEY = ApiKeySecret.generate();

    @TempDir
    Path dataDir;

    @Test
    void a_killed_dev_process_comes_back_with_every_accepted_transfer_once() throws Exception {
        int port = freePort();
        Process first = startDev(port);
        List<TransferWorkload.Request> sent = new ArrayList<>();
        TransferWorkload workload;
        try {
            LedgerClient client = new LedgerClient(() -> "http://127.0.0.1:" + port, null, ADMIN_API_KEY);
            awaitReady(client, first);
            workload = new TransferWorkload(r -> client.post("/v1/transfers", r.key(), r.body()), CUSTOMERS, 11);
            TransferInvariantTest.open(client, TransferWorkload.SETTLEMENT, true);
            TransferWorkload.concurrently(workload.customers(), id -> TransferInvariantTest.open(client, id, false));
            workload.deposits();

            // when: SIGKILL while 8 clients are sending transfers
            var keys = new ArrayList<TransferWorkload.Request>();
            for (int i = 0; i < TRANSFERS; i++) {
                String debit = workload.customers().get(i % CUSTOMERS);
                String credit = workload.customers().get((i * 7 + 3) % CUSTOMERS);
                if (debit.equals(credit)) credit = TransferWorkload.SETTLEMENT;
                keys.add(new TransferWorkload.Request(UUID.randomUUID().toString(),
                        TransferWorkload.transferBody("k-" + i, debit, credit, 1 + (i * 37L) % 4_000)));
            }
            AtomicInteger answered = new AtomicInteger();
            var killer = Thread.ofPlatform().start(() -> {
                while (answered.get() < TRANSFERS / 3) LedgerChecks.sleep(10);
                first.destroyForcibly();
            });
            TransferWorkload.concurrently(keys, request -> {
                var body = parse(request.body());
                String id = body.get("transferId");
                try {
                    workload.submit(id, request.key(), body.get("debitAccountId"), body.get("creditAccountId"),
                            Long.parseLong(body.get("amount")));
                    answered.incrementAndGet();
                } catch (RuntimeException connectionLost) {
                    // the process died under this request: the client does not know its outcome
                }
            });
            killer.join();
            sent.addAll(keys);
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            first.destroyForcibly();
        }

        // then: the same data directory comes back, stale children stopped through their pid files
        Process second = startDev(port);
        try {
            LedgerClient client = new LedgerClient(() -> "http://127.0.0.1:" + port,
                    LedgerTarget.find(dataDir, Map.of()).config(), ADMIN_API_KEY);
            awaitReady(client, second);
            long lost = workload.answers.values().stream().filter(a -> a.status() == -1).count();
            assertThat(lost).as("some requests were cut off by the kill").isPositive();

            // a client retrying with its keys gets the original outcome, or learns the lost one's
            TransferWorkload.concurrently(sent, request -> {
                String id = parse(request.body()).get("transferId");
                var retry = client.post("/v1/transfers", request.key(), request.body(), "Prefer", "wait=20");
                var original = workload.answers.get(id);
                if (original == null || original.status() == -1) {
                    assertThat(retry.status()).as(id + " " + retry).isIn(201, 422);
                    workload.answers.put(id, new TransferWorkload.Answer(retry.status(), null));
                } else if (original.status() != 202) {
                    assertThat(retry.status()).as(id + " retried").isEqualTo(original.status());
                    assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
                }
            });
            var replay = LedgerChecks.settledReplay(client::committedEvents);
            assertThat(replay.transfers().values()).allMatch(t -> !(t instanceof TransferState.InFlight));
            LedgerChecks.verify(workload, client.committedEvents(), replay, List.of(Instant.now()), client.config());
        } finally {
            second.destroy(); // a clean stop this time: the shutdown hook stops Kafka and PostgreSQL
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("dev stops on SIGTERM").isTrue();
        }
        assertThat(new DataDirectory(dataDir).kafkaPidFile()).doesNotExist();
    }

    private static Map<String, String> parse(String json) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = LedgerClient.JSON.readValue(json, Map.class);
            var strings = new java.util.HashMap<String, String>();
            map.forEach((k, v) -> strings.put(k, String.valueOf(v)));
            return strings;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Process startDev(int port) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        var builder = new ProcessBuilder(java, "-Xmx768m", "-cp", System.getProperty("java.class.path"),
                LedgerCli.class.getName(), "dev", "--data-dir", dataDir.toString(), "--port", String.valueOf(port),
                "--partitions", "4")
                .redirectErrorStream(true);
        builder.environment().put(LedgerApplication.Access.ADMIN_API_KEY_VARIABLE, ADMIN_API_KEY);
        return builder
                .redirectOutput(dataDir.getParent().resolve(dataDir.getFileName() + "-dev.log").toFile())
                .start();
    }

    private static void awaitReady(LedgerClient client, Process process) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            assertThat(process.isAlive()).as("ledger dev is running").isTrue();
            try {
                if (client.get("/health/ready").status() == 200) return;
            } catch (RuntimeException notYetListening) {
                // still starting
            }
            LedgerChecks.sleep(250);
        }
        throw new AssertionError("ledger dev was not ready within 180 s");
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
