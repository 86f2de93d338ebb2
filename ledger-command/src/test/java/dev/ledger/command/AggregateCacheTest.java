package dev.ledger.command;

import dev.ledger.domain.account.AccountDecider;
import dev.ledger.domain.account.AccountEvent.AccountOpened;
import dev.ledger.domain.account.AccountState;
import dev.ledger.kafka.Aggregate;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Currency;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The cache writes an aggregate to its store only when it leaves the cache changed. */
class AggregateCacheTest {
    private static final Currency EUR = Currency.getInstance("EUR");
    private KeyValueStore<String, Aggregate<AccountState>> store;
    private AggregateCache<AccountState> cache;

    @BeforeEach
    void setUp() {
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("accounts"), Serdes.String(),
                AggregateSerdes.accounts()).withLoggingDisabled().build();
        var context = new MockProcessorContext<String, byte[]>();
        store.init(context.getStateStoreContext(), store);
        cache = new AggregateCache<>(store, Aggregate.absent(AccountDecider.INITIAL), 2);
    }

    @Test
    void a_changed_aggregate_reaches_the_store_when_it_leaves_the_cache_and_reads_back_from_it() {
        var alice = opened("alice");
        cache.save("alice", alice);
        assertThat(store.get("alice")).as("not written while cached").isNull();

        cache.save("bob", opened("bob"));
        cache.save("carol", opened("carol")); // alice, the eldest, leaves

        assertThat(store.get("alice")).as("written as it left").usingRecursiveComparison().isEqualTo(alice);
        assertThat(store.get("bob")).isNull();
        assertThat(cache.load("alice")).as("read back from the store").usingRecursiveComparison().isEqualTo(alice);
    }

    @Test
    void an_aggregate_read_from_the_store_and_left_unchanged_is_not_written_again() {
        var alice = opened("alice");
        store.put("alice", alice);
        assertThat(cache.load("alice")).usingRecursiveComparison().isEqualTo(alice);
        store.delete("alice"); // were it written again on leaving, it would be back

        cache.save("bob", opened("bob"));
        cache.save("carol", opened("carol"));

        assertThat(store.get("alice")).isNull();
        assertThat(cache.load("unknown")).isEqualTo(Aggregate.absent(AccountDecider.INITIAL));
    }

    @Test
    void an_aggregate_read_from_the_store_then_changed_is_written_as_changed_when_it_leaves() {
        store.put("alice", opened("alice"));
        cache.load("alice");
        var changed = opened("alice-renamed"); // any other aggregate will do: the cache keeps what it is given
        cache.save("alice", changed);

        cache.save("bob", opened("bob"));
        cache.save("carol", opened("carol")); // alice, the eldest, leaves

        assertThat(store.get("alice")).as("the change, not the copy read").usingRecursiveComparison()
                .isEqualTo(changed);
    }

    @Test
    void clearing_forgets_the_cached_and_the_stored_aggregates() {
        store.put("dave", opened("dave"));
        cache.save("alice", opened("alice"));

        cache.clear();

        assertThat(cache.load("alice")).isEqualTo(Aggregate.absent(AccountDecider.INITIAL));
        assertThat(cache.load("dave")).isEqualTo(Aggregate.absent(AccountDecider.INITIAL));
    }

    private static Aggregate<AccountState> opened(String id) {
        var event = new AccountOpened(id, EUR, 0, false, Map.of());
        return new Aggregate<>(AccountDecider.evolve(AccountDecider.INITIAL, event), new byte[32], "open-" + id);
    }
}
