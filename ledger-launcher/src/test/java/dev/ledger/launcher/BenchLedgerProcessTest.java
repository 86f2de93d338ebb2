package dev.ledger.launcher;

import dev.ledger.api.ApiKeySecret;
import dev.ledger.kafka.LedgerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bench's ledger under test in a JVM of its own, on the shared broker and PostgreSQL: it is a
 * ledger (an account opened over HTTP is there to read), it runs with the heap limit it was given, in
 * a process apart from ours, and it is gone once closed.
 */
class BenchLedgerProcessTest {
    @Test
    void a_child_ledger_serves_with_its_own_heap_limit_and_stops_when_closed(@TempDir Path dir) throws Exception {
        LedgerConfig config = LedgerHarness.configFor("bench-child");
        var http = HttpClient.newHttpClient();
        long pid;
        String adminKey = ApiKeySecret.generate();
        try (BenchLedgerProcess ledger = BenchLedgerProcess.start(dir, config, adminKey, Map.of(), List.of("-Xmx512m"),
                false)) {
            pid = ledger.pid();
            assertThat(pid).isNotEqualTo(ProcessHandle.current().pid());
            // ProcessHandle.Info gave no arguments for this child (its command line holds the whole class path): read /proc
            List<String> arguments = List.of(Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).split("\0"));
            assertThat(arguments).contains("-Xmx512m", BenchLedgerMain.class.getName());

            URI api = URI.create("http://127.0.0.1:" + ledger.httpPort());
            HttpResponse<String> opened = http.send(HttpRequest.newBuilder(api.resolve("/v1/accounts"))
                    .header("Content-Type", "application/json").header("Idempotency-Key", "open-child-1")
                    .header("Authorization", "Bearer " + adminKey)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"accountId\":\"child-1\",\"currency\":\"EUR\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(opened.statusCode()).as(opened.body()).isEqualTo(201);
            String position = opened.headers().firstValue("Ledger-Position").orElseThrow();
            HttpResponse<String> read = http.send(HttpRequest.newBuilder(api.resolve("/v1/accounts/child-1"))
                    .header("Ledger-Min-Position", position).header("Authorization", "Bearer " + adminKey).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
            assertThat(read.body()).contains("child-1");
        }
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("the ledger's JVM after close").isEmpty();
    }
}
