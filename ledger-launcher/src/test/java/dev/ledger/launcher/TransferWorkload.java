package dev.ledger.launcher;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Random transfers from concurrent clients, the way real clients behave: some spend more than
 * they have, some retry with the same key, some reuse an id or a key with another body. It keeps
 * every answer, and what a client would expect of each retry, so the checks can compare.
 */
final class TransferWorkload {
    static final String SETTLEMENT = "settlement";
    static final long DEPOSIT_MAX = 50_000;

    private final Function<Request, LedgerClient.Response> client;
    private final List<String> customers = new ArrayList<>();
    private final Random seeds;
    /** transfer id -> the first answer it got (final, pending, or lost when the call failed). */
    final Map<String, Answer> answers = new ConcurrentHashMap<>();
    final Map<String, Long> amounts = new ConcurrentHashMap<>();
    final Map<String, String[]> parties = new ConcurrentHashMap<>();
    final List<String> surprises = Collections.synchronizedList(new ArrayList<>());
    final Histogram latencyMicros = new ConcurrentHistogram(3);
    final AtomicInteger requests = new AtomicInteger();

    record Request(String key, String body) {
    }

    record Answer(int status, String transferStatus) {
    }

    TransferWorkload(Function<Request, LedgerClient.Response> client, int customerCount, long seed) {
        this.client = client;
        this.seeds = new Random(seed);
        for (int i = 0; i < customerCount; i++) customers.add("cust-" + i);
    }

    List<String> customers() {
        return customers;
    }

    /** The body of a transfer request; a null id lets the server derive it from the key. */
    static String transferBody(String id, String debit, String credit, long amount) {
        return "{" + (id == null ? "" : "\"transferId\":\"" + id + "\",") + "\"debitAccountId\":\"" + debit
                + "\",\"creditAccountId\":\"" + credit + "\",\"amount\":" + amount + ",\"currency\":\"EUR\"}";
    }

    /** Deposits from the settlement account, then {@code count} random transfers from {@code clients} threads. */
    void run(int count, int clients) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicInteger next = new AtomicInteger();
        for (int c = 0; c < clients; c++) {
            long seed = seeds.nextLong();
            pool.submit(() -> {
                Random random = new Random(seed);
                int i;
                while ((i = next.getAndIncrement()) < count) {
                    try {
                        step(random, i);
                    } catch (RuntimeException e) {
                        surprises.add("client error at step " + i + ": " + e);
                    }
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(10, TimeUnit.MINUTES)) throw new IllegalStateException("workload did not finish");
    }

    /** Funds every customer from the settlement account, concurrently. */
    void deposits() {
        concurrently(customers, customer -> {
            String id = "dep-" + customer;
            submit(id, UUID.randomUUID().toString(), SETTLEMENT, customer, 1 + Math.floorMod(id.hashCode(), DEPOSIT_MAX));
        });
    }

    /** Runs the action for every item from 16 threads (a parallel stream gets one worker on 2 cores). */
    static <T> void concurrently(List<T> items, java.util.function.Consumer<T> action) {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            var futures = items.stream().map(item -> pool.submit(() -> action.accept(item))).toList();
            for (var f : futures) f.get(5, TimeUnit.MINUTES);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
        }
    }

    private void step(Random random, int i) {
        String debit = customers.get(random.nextInt(customers.size()));
        String credit = customers.get(random.nextInt(customers.size()));
        if (debit.equals(credit)) credit = SETTLEMENT; // a withdrawal
        long amount = 1 + random.nextInt(20_000); // often more than an account holds: rejections
        String id = "t-" + i;
        String key = UUID.randomUUID().toString();
        int kind = random.nextInt(20);
        Answer first = submit(id, key, debit, credit, amount);
        if (kind == 0 || kind == 1) { // a client retry: same key, same body
            var retry = send(new Request(key, transferBody(id, debit, credit, amount)));
            if (first != null && first.status() != 202 && retry.status() != first.status()) {
                surprises.add(id + ": retry got " + retry + " but the original was " + first);
            }
            if (first != null && first.status() != 202 && !"true".equals(retry.header("Idempotent-Replayed"))) {
                surprises.add(id + ": retry not marked as replayed: " + retry.headers());
            }
        } else if (kind == 2) { // the same id with another body is a conflict, never a second transfer
            var conflict = send(new Request(UUID.randomUUID().toString(), transferBody(id, debit, credit, amount + 1)));
            if (conflict.status() != 409) surprises.add(id + ": reused id answered " + conflict);
        } else if (kind == 3) { // a key reused without an explicit id is 422
            String derivedKey = UUID.randomUUID().toString();
            var original = send(new Request(derivedKey, transferBody(null, debit, credit, amount)));
            String derivedId = original.json().path("transferId").asText(null);
            if (derivedId != null) record(derivedId, debit, credit, amount, original);
            var reused = send(new Request(derivedKey, transferBody(null, debit, credit, amount + 1)));
            if (reused.status() != 422) surprises.add("derived " + derivedId + ": reused key answered " + reused);
        }
    }

    Answer submit(String id, String key, String debit, String credit, long amount) {
        try {
            return record(id, debit, credit, amount, send(new Request(key, transferBody(id, debit, credit, amount))));
        } catch (RuntimeException e) {
            parties.put(id, new String[]{debit, credit});
            amounts.put(id, amount);
            answers.put(id, new Answer(-1, null)); // lost: the caller does not know what happened
            throw e;
        }
    }

    private Answer record(String id, String debit, String credit, long amount, LedgerClient.Response r) {
        parties.put(id, new String[]{debit, credit});
        amounts.put(id, amount);
        var answer = new Answer(r.status(), r.status() == 201 || r.status() == 202 || r.status() == 422
                ? r.json().path(r.status() == 422 ? "transferStatus" : "status").asText() : null);
        answers.put(id, answer);
        return answer;
    }

    LedgerClient.Response send(Request request) {
        long start = System.nanoTime();
        var response = client.apply(request);
        latencyMicros.recordValue(Math.max(1, (System.nanoTime() - start) / 1_000));
        requests.incrementAndGet();
        if (response.status() >= 500) surprises.add("server error " + response);
        return response;
    }
}
