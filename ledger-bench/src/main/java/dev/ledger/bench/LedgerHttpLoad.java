package dev.ledger.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * The ledger end to end, as a client sees it: HTTP in, final outcome out. A single transfer is
 * {@code POST /v1/transfers}, a batch {@code POST /v1/transfers/batch}; both with
 * {@code Prefer: wait=30}, and a transfer still PENDING after that is polled with
 * {@code GET /v1/transfers/{id}} until it is final. Latency is from the submission to the final
 * outcome.
 *
 * <p>The client is Apache HttpClient's blocking one, a pooled keep-alive connection per caller thread:
 * the load generator shares the machine's cores with the ledger, and {@code java.net.http.HttpClient}
 * spent about three times its CPU per transfer (0.29 against 0.09 ms in the single scenario,
 * BENCHMARKS.md), since every call hands over between the caller, a selector thread and an executor.
 *
 * <p>Projection lag: during the load one probe at a time takes the newest answer's
 * {@code Ledger-Position} and reads an account with {@code Ledger-Min-Position} set to it; the lag
 * is the time from that answer until the read succeeds (so it includes a read's own cost, a few ms,
 * and the API's 10 ms position poll). After the load, the catch-up: the time from the last answer
 * until the read model holds every account at the highest position any answer named.
 */
public final class LedgerHttpLoad implements LoadTarget {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Timeout REQUEST_TIMEOUT = Timeout.ofSeconds(60);
    private static final Timeout CONNECT_TIMEOUT = Timeout.ofSeconds(5);
    /** Above every caller the bench runs at once: the open loop's in-flight bound, the setup's pool, the probe. */
    private static final int MAX_CONNECTIONS = 2_048;
    private static final long POLL_INTERVAL_MS = 20;
    private static final long FINAL_TIMEOUT_MS = 120_000;
    /** Accounts per catch-up read: tokens stay far below the API's 2048 accounts. */
    private static final int CATCH_UP_CHUNK = 500;

    private final BenchEnvironment.Ledger ledger;
    private final URI api;
    private final CloseableHttpClient http;
    private volatile StreamThreadMetrics.Snapshot threadAtStart;
    private volatile StreamThreadMetrics.Snapshot threadAtEnd;
    private volatile long threadStartNanos;
    private volatile long threadEndNanos;
    private final String authorization;
    private final Map<String, Long> positions = new ConcurrentHashMap<>();
    private final AtomicReference<Answer> lastAnswer = new AtomicReference<>();
    private volatile LoadRecorder recorder;
    private volatile Thread probe;
    private volatile boolean probing;
    private volatile long probes;

    private record Answer(String token, String account, long nanos) {
    }

    public LedgerHttpLoad(BenchEnvironment.Ledger ledger) {
        this.ledger = ledger;
        this.api = ledger.api();
        this.authorization = "Bearer " + ledger.apiKey();
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        // a batch's Ledger-Position header names every account and transfer it touched: no limit
                        .setConnectionFactory(ManagedHttpClientConnectionFactory.builder()
                                .http1Config(Http1Config.custom().setMaxLineLength(0).build()).build())
                        .setMaxConnTotal(MAX_CONNECTIONS)
                        .setMaxConnPerRoute(MAX_CONNECTIONS)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(CONNECT_TIMEOUT).setSocketTimeout(REQUEST_TIMEOUT).build())
                        .build())
                // a request is never sent twice behind the bench's back: each outcome is counted once
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableRedirectHandling()
                .disableContentCompression()
                .build();
    }

    public BenchEnvironment.Ledger ledger() {
        return ledger;
    }

    @Override
    public String name() {
        return ledger.name();
    }

    @Override
    public String label() {
        return ledger.label();
    }

    @Override
    public String description(Scenario scenario) {
        return (scenario == Scenario.BATCH ? "POST /v1/transfers/batch" : "POST /v1/transfers")
                + " with Prefer: wait=30, polling GET /v1/transfers/{id} while PENDING; latency = "
                + (scenario == Scenario.OPEN_LOOP ? "intended send time" : "submit") + " to final outcome; "
                + ledger.partitions() + " partitions, " + ledger.jvm();
    }

    // ---------------------------------------------------------------- setup

    /** Opens the settlement account and every workload account, then funds each with the opening balance. */
    public void setUp(Workload workload, int concurrency, PrintWriter progress) throws Exception {
        openAccount(Workload.SETTLEMENT, true);
        List<String> ids = workload.accountIds();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency,
                Thread.ofPlatform().name("bench-setup-", 0).daemon().factory());
        try {
            var opened = new ArrayList<Future<?>>();
            for (String id : ids) opened.add(pool.submit(() -> {
                openAccount(id, false);
                return null;
            }));
            for (Future<?> f : opened) f.get(5, TimeUnit.MINUTES);
            progress.printf("  opened %d accounts%n", ids.size());
            progress.flush();
            var deposits = new ArrayList<Future<?>>();
            for (int from = 0; from < ids.size(); from += 1000) {
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 1000));
                deposits.add(pool.submit(() -> {
                    deposit(chunk, workload.openingBalance());
                    return null;
                }));
            }
            for (Future<?> f : deposits) f.get(5, TimeUnit.MINUTES);
            progress.printf("  funded them with %d each from %s%n", workload.openingBalance(), Workload.SETTLEMENT);
            progress.flush();
        } finally {
            pool.shutdownNow();
        }
    }

    private void openAccount(String id, boolean settlement) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("accountId", id).put("currency", Workload.CURRENCY);
        if (settlement) body.put("unlimitedOverdraft", true);
        Reply r = post("/v1/accounts", "open-" + id, body.toString());
        if (r.status() / 100 != 2) throw new IllegalStateException("opening " + id + ": " + describe(r));
    }

    private void deposit(List<String> accounts, long amount) throws Exception {
        ArrayNode items = JSON.createArrayNode();
        for (String account : accounts) {
            items.addObject().put("transferId", "deposit-" + account).put("debitAccountId", Workload.SETTLEMENT)
                    .put("creditAccountId", account).put("amount", amount).put("currency", Workload.CURRENCY);
        }
        Reply r = post("/v1/transfers/batch", "deposits-" + accounts.getFirst(),
                JSON.createObjectNode().set("transfers", items).toString());
        if (r.status() != 200) throw new IllegalStateException("deposits: " + describe(r));
        for (JsonNode result : JSON.readTree(r.body()).path("results")) {
            String status = result.path("status").asText();
            if (status.equals("PENDING")) status = awaitFinal(result.path("transferId").asText()).status;
            if (!status.equals("COMPLETED")) throw new IllegalStateException("deposit " + result + " is " + status);
        }
    }

    // ---------------------------------------------------------------- load

    @Override
    public void loadStarting(Scenario scenario, LoadRecorder recorder) {
        this.recorder = recorder;
        positions.clear();
        lastAnswer.set(null);
        probes = 0;
        probing = true;
        probe = Thread.ofPlatform().name("bench-projection-probe").daemon().start(this::probe);
    }

    /** Starts a window over the command processor's stream thread: see {@link #streamThread(long)}. */
    public void streamThreadWindowStarts() {
        threadAtStart = scrapeStreamThread();
        threadAtEnd = null;
        threadStartNanos = System.nanoTime();
    }

    /** Ends the window, unless the load's end (before its catch-up wait) has ended it already. */
    public void streamThreadWindowEnds() {
        if (threadAtEnd != null) return;
        threadAtEnd = scrapeStreamThread();
        threadEndNanos = System.nanoTime();
    }

    /**
     * What the command processor's stream thread did in the last window (a run with its warm-up, as the
     * records written are counted; a closed loop's ends at its last answer), for {@code transfers}
     * transfers; null when the ledger's metrics could not be read.
     */
    public BenchResults.StreamThread streamThread(long transfers) {
        if (threadAtStart == null || threadAtEnd == null) return null;
        return StreamThreadMetrics.between(threadAtStart, threadAtEnd, (threadEndNanos - threadStartNanos) / 1e9, transfers);
    }

    private StreamThreadMetrics.Snapshot scrapeStreamThread() {
        try {
            Reply r = get("/metrics");
            return r.status() == 200 ? StreamThreadMetrics.read(r.body()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public Session openSession() {
        return transfers -> transfers.size() == 1 ? single(transfers.getFirst()) : batch(transfers);
    }

    private Outcome single(Workload.Transfer t) throws Exception {
        Reply r = post("/v1/transfers", t.id(), body(t).toString(), "Prefer", "wait=30");
        switch (r.status()) {
            case 201 -> {
                answered(r);
                return Outcome.completed(1);
            }
            case 422 -> {
                if (!"REJECTED".equals(JSON.readTree(r.body()).path("transferStatus").asText())) {
                    throw new IllegalStateException(t.id() + ": " + describe(r));
                }
                answered(r);
                return new Outcome(0, 1, 0, 0);
            }
            case 202 -> {
                Final f = awaitFinal(t.id());
                return f.status.equals("COMPLETED") ? new Outcome(1, 0, 0, f.nanos) : new Outcome(0, 1, 0, f.nanos);
            }
            default -> throw new IllegalStateException(t.id() + ": " + describe(r));
        }
    }

    /**
     * One batch request; the items still PENDING when it answers (the wait is bounded at 30 s) are
     * submitted again, as a batch of their own: a retry of an item waits for its outcome (API.md), so
     * this polls with one request per 30 s instead of one per item.
     */
    private Outcome batch(List<Workload.Transfer> transfers) throws Exception {
        int completed = 0;
        int rejected = 0;
        int failed = 0;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FINAL_TIMEOUT_MS);
        List<Workload.Transfer> pending = transfers;
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            if (System.nanoTime() > deadline) {
                failed += pending.size();
                break;
            }
            ArrayNode items = JSON.createArrayNode();
            pending.forEach(t -> items.add(body(t)));
            Reply r = post("/v1/transfers/batch", "batch-" + pending.getFirst().id() + "-" + attempt,
                    JSON.createObjectNode().set("transfers", items).toString(), "Prefer", "wait=30");
            if (r.status() != 200) throw new IllegalStateException("batch " + pending.getFirst().id() + ": " + describe(r));
            answered(r);
            var byId = new java.util.HashMap<String, Workload.Transfer>();
            pending.forEach(t -> byId.put(t.id(), t));
            var stillPending = new ArrayList<Workload.Transfer>();
            for (JsonNode result : JSON.readTree(r.body()).path("results")) {
                switch (result.path("status").asText()) {
                    case "COMPLETED" -> completed++;
                    case "REJECTED" -> rejected++;
                    case "PENDING" -> stillPending.add(byId.get(result.path("transferId").asText()));
                    default -> failed++;
                }
            }
            pending = stillPending;
        }
        return new Outcome(completed, rejected, failed, 0);
    }

    private static ObjectNode body(Workload.Transfer t) {
        return JSON.createObjectNode().put("transferId", t.id()).put("debitAccountId", t.debit())
                .put("creditAccountId", t.credit()).put("amount", t.amount()).put("currency", Workload.CURRENCY);
    }

    private record Final(String status, long nanos) {
    }

    /** Polls the transfer until it is COMPLETED or REJECTED (404: not projected yet). */
    private Final awaitFinal(String transferId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FINAL_TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            Reply r = get("/v1/transfers/" + URLEncoder.encode(transferId, StandardCharsets.UTF_8));
            if (r.status() == 200) {
                String status = JSON.readTree(r.body()).path("status").asText();
                if (!status.equals("PENDING")) return new Final(status, System.nanoTime());
            }
            Thread.sleep(POLL_INTERVAL_MS);
        }
        return new Final("TIMED_OUT", System.nanoTime());
    }

    /**
     * Keeps the answer's position: the highest per account for the catch-up, the newest for the probe.
     * Only account entries are kept: a token also names {@code transfer/<id>} entries, one per transfer,
     * which a batch's token has a thousand of; the accounts are what a reader of balances waits for.
     */
    private void answered(Reply r) {
        String token = r.position();
        if (token.isBlank()) return;
        var accounts = new StringBuilder();
        String first = null;
        for (String entry : token.split(",")) {
            int colon = entry.lastIndexOf(':');
            if (colon <= 0) continue;
            String account = entry.substring(0, colon).strip();
            if (account.contains("/")) continue;
            long seq = Long.parseLong(entry.substring(colon + 1).strip());
            positions.merge(account, seq, Math::max);
            if (first == null) first = account;
            accounts.append(accounts.isEmpty() ? "" : ",").append(account).append(':').append(seq);
        }
        if (first != null) lastAnswer.set(new Answer(accounts.toString(), first, System.nanoTime()));
    }

    private void probe() {
        Answer previous = null;
        while (probing) {
            try {
                Answer answer = lastAnswer.get();
                if (answer == null || answer == previous) {
                    Thread.sleep(5);
                    continue;
                }
                previous = answer;
                if (awaitPosition(answer.account(), answer.token(), 30_000)) {
                    long now = System.nanoTime();
                    recorder.recordLag(now, TimeUnit.NANOSECONDS.toMicros(now - answer.nanos()));
                    probes++;
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                recorder.recordError(System.nanoTime(), 0, e);
            }
        }
    }

    /** Reads the account with Ledger-Min-Position until the read model is there (503: not yet). */
    private boolean awaitPosition(String account, String token, long timeoutMs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            Reply r = get("/v1/accounts/" + URLEncoder.encode(account, StandardCharsets.UTF_8),
                    "Ledger-Min-Position", token);
            if (r.status() == 200) return true;
            if (r.status() != 503) throw new IllegalStateException("probe read: " + describe(r));
        }
        return false;
    }

    @Override
    public BenchResults.ProjectionLag loadFinished() {
        streamThreadWindowEnds(); // before the catch-up wait below, in which the processor idles
        probing = false;
        Thread thread = probe;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Answer last = lastAnswer.get();
        Double catchUp = null;
        try {
            var entries = new ArrayList<>(positions.entrySet());
            boolean all = true;
            for (int from = 0; from < entries.size() && all; from += CATCH_UP_CHUNK) {
                var chunk = entries.subList(from, Math.min(entries.size(), from + CATCH_UP_CHUNK));
                var token = new StringBuilder();
                for (var e : chunk) token.append(token.isEmpty() ? "" : ",").append(e.getKey()).append(':').append(e.getValue());
                all = awaitPosition(chunk.getFirst().getKey(), token.toString(), 120_000);
            }
            if (all && last != null) catchUp = ClosedLoop.round((System.nanoTime() - last.nanos()) / 1e6, 1);
        } catch (Exception e) {
            recorder.recordError(System.nanoTime(), 0, e);
        }
        var lag = recorder.totals().lag();
        boolean any = lag.getTotalCount() > 0;
        return new BenchResults.ProjectionLag(lag.getTotalCount(),
                any ? lag.getValueAtPercentile(50) / 1000.0 : null,
                any ? lag.getValueAtPercentile(99) / 1000.0 : null,
                any ? lag.getMaxValue() / 1000.0 : null, catchUp);
    }

    // ---------------------------------------------------------------- HTTP

    /** What the bench reads of an answer: its status, its body and its {@code Ledger-Position} header. */
    private record Reply(int status, String body, String position) {
    }

    private Reply post(String path, String idempotencyKey, String body, String... headers) throws IOException {
        var request = new HttpPost(api.resolve(path));
        request.setHeader("Idempotency-Key", idempotencyKey);
        request.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
        return send(request, headers);
    }

    private Reply get(String path, String... headers) throws IOException {
        return send(new HttpGet(api.resolve(path)), headers);
    }

    private Reply send(HttpUriRequestBase request, String... headers) throws IOException {
        request.setHeader("Authorization", authorization);
        for (int i = 0; i < headers.length; i += 2) request.setHeader(headers[i], headers[i + 1]);
        return http.execute(request, response -> {
            Header position = response.getFirstHeader("Ledger-Position");
            String body = response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
            return new Reply(response.getCode(), body, position == null ? "" : position.getValue());
        });
    }

    private static String describe(Reply r) {
        String body = r.body() == null ? "" : r.body();
        return "HTTP " + r.status() + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
    }
}
