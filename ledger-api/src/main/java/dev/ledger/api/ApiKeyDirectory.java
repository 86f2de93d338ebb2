package dev.ledger.api;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The active API keys of this instance, held in memory and reloaded from the key store every
 * {@link #REFRESH_INTERVAL_MS}: a request is authenticated without waiting for PostgreSQL, a flood
 * of wrong keys costs no query, and a key revoked on any instance (or by {@code ledger keys revoke})
 * stops working here within about a second. When the store cannot be read for longer than
 * {@link #MAX_STALENESS_MS}, requests are refused (503) rather than checked against a list that may
 * still hold a revoked key.
 */
final class ApiKeyDirectory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiKeyDirectory.class);
    static final long REFRESH_INTERVAL_MS = 1_000;
    static final long MAX_STALENESS_MS = 10_000;

    private record Snapshot(Map<String, Principal> bySecretSha256, long loadedAtNanos) {
    }

    private final Supplier<Map<String, Principal>> source;
    private final LongSupplier nanoTime;
    private final ScheduledExecutorService refresher;
    private volatile Snapshot snapshot;

    /** Loads once now (failing the start when the store is unreadable), then every REFRESH_INTERVAL_MS. */
    static ApiKeyDirectory start(Supplier<Map<String, Principal>> source) {
        var directory = new ApiKeyDirectory(source, System::nanoTime,
                Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("ledger-api-keys").daemon().factory()));
        directory.refresh();
        directory.refresher.scheduleWithFixedDelay(directory::refreshQuietly, REFRESH_INTERVAL_MS, REFRESH_INTERVAL_MS,
                TimeUnit.MILLISECONDS);
        return directory;
    }

    /** Not started: nothing reloads it until {@link #refresh} is called (tests drive it with their own clock). */
    ApiKeyDirectory(Supplier<Map<String, Principal>> source, LongSupplier nanoTime, ScheduledExecutorService refresher) {
        this.source = source;
        this.nanoTime = nanoTime;
        this.refresher = refresher;
    }

    /**
     * The key whose secret hashes to {@code secretSha256Hex}, if it is active.
     *
     * @throws UnavailableException when the list is too old to be trusted
     */
    Optional<Principal> find(String secretSha256Hex) {
        Snapshot current = snapshot;
        if (nanoTime.getAsLong() - current.loadedAtNanos() > TimeUnit.MILLISECONDS.toNanos(MAX_STALENESS_MS)) {
            throw new UnavailableException("the API keys could not be read for " + MAX_STALENESS_MS / 1000
                    + " s; no request is authenticated until they can", null);
        }
        return Optional.ofNullable(current.bySecretSha256().get(secretSha256Hex));
    }

    /** Reloads now: after a key is created or revoked through this instance, it holds here at once. */
    void refresh() {
        long started = nanoTime.getAsLong();
        snapshot = new Snapshot(Map.copyOf(source.get()), started);
    }

    void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            log.warn("reloading the API keys failed (the last list is used for up to {} ms): {}", MAX_STALENESS_MS,
                    e.getMessage());
        }
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
