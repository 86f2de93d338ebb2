package dev.ledger.api;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The in-memory key list: a reload shows revocations, and a list that cannot be reloaded is not trusted for long. */
class ApiKeyDirectoryTest {
    private static final Principal CHECKOUT = new Principal("key-1", "checkout", Role.PAYMENTS, null);
    private final Map<String, Principal> stored = new HashMap<>(Map.of(ApiKeySecret.sha256Hex("secret-1"), CHECKOUT));
    private final AtomicBoolean storeDown = new AtomicBoolean();
    private final AtomicLong nanos = new AtomicLong();
    private final ApiKeyDirectory directory = new ApiKeyDirectory(() -> {
        if (storeDown.get()) throw new UnavailableException("PostgreSQL is down", null);
        return stored;
    }, nanos::get, Executors.newSingleThreadScheduledExecutor());

    @AfterEach
    void stop() {
        directory.close();
    }

    @Test
    void given_a_key_revoked_in_the_store_when_the_list_is_reloaded_then_the_key_is_no_longer_found() {
        directory.refresh();
        assertThat(directory.find(ApiKeySecret.sha256Hex("secret-1"))).hasValue(CHECKOUT);

        stored.clear();
        directory.refreshQuietly();

        assertThat(directory.find(ApiKeySecret.sha256Hex("secret-1"))).isEmpty();
    }

    @Test
    void given_a_store_that_cannot_be_read_when_the_list_grows_older_than_its_bound_then_every_lookup_is_refused() {
        directory.refresh();
        storeDown.set(true);

        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ApiKeyDirectory.MAX_STALENESS_MS));
        directory.refreshQuietly();
        assertThat(directory.find(ApiKeySecret.sha256Hex("secret-1"))).hasValue(CHECKOUT);

        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        directory.refreshQuietly();
        assertThatThrownBy(() -> directory.find(ApiKeySecret.sha256Hex("secret-1"))).isInstanceOf(UnavailableException.class);

        storeDown.set(false);
        directory.refreshQuietly();
        assertThat(directory.find(ApiKeySecret.sha256Hex("secret-1"))).hasValue(CHECKOUT);
    }
}
