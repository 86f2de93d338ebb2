package dev.ledger.kafka;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

final class HashChainTest {

    private static final byte[] KEY = "ledger-test-key-0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER_KEY = "ledger-test-key-0123456789abcdeF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FIRST = LedgerJson.writeEvent(Samples.firstEvent("AccountOpened"));
    private static final byte[] SECOND = LedgerJson.writeEvent(Samples.firstEvent("FundsReserved"));

    private final HashChain chain = new HashChain(KEY);

    @Test
    void the_same_key_previous_hash_and_bytes_give_the_same_hash() {
        byte[] hash = chain.next(HashChain.GENESIS, FIRST);

        assertThat(hash).hasSize(HashChain.HASH_BYTES);
        assertThat(new HashChain(KEY).next(HashChain.GENESIS, FIRST)).isEqualTo(hash);
        assertThat(chain.next(HashChain.GENESIS, FIRST)).as("the Mac is reset after each hash").isEqualTo(hash);
    }

    @Test
    void an_untouched_chain_verifies_link_by_link() {
        byte[] first = chain.next(HashChain.GENESIS, FIRST);
        byte[] second = chain.next(first, SECOND);

        assertThat(chain.verifies(HashChain.GENESIS, FIRST, first)).isTrue();
        assertThat(chain.verifies(first, SECOND, second)).isTrue();
    }

    @Test
    void a_chain_that_goes_on_from_json_events_to_binary_ones_verifies_link_by_link() {
        byte[] binary = EventCodec.write(Samples.firstEvent("AccountCredited"));
        byte[] first = chain.next(HashChain.GENESIS, FIRST);
        byte[] second = chain.next(first, binary);

        assertThat(chain.verifies(first, binary, second)).isTrue();
        assertThat(chain.verifies(first, LedgerJson.writeEvent(Samples.firstEvent("AccountCredited")), second))
                .as("the link covers the stored bytes, not the event they spell").isFalse();
    }

    @Test
    void one_changed_byte_of_the_value_fails_verification() {
        byte[] hash = chain.next(HashChain.GENESIS, FIRST);
        byte[] tampered = Arrays.copyOf(FIRST, FIRST.length);
        tampered[tampered.length / 2] ^= 1;

        assertThat(chain.verifies(HashChain.GENESIS, tampered, hash)).isFalse();
    }

    @Test
    void a_changed_previous_hash_fails_verification_so_links_cannot_be_reordered_or_dropped() {
        byte[] first = chain.next(HashChain.GENESIS, FIRST);
        byte[] second = chain.next(first, SECOND);
        byte[] otherPrevious = Arrays.copyOf(first, first.length);
        otherPrevious[0] ^= 1;

        assertThat(chain.verifies(otherPrevious, SECOND, second)).isFalse();
        assertThat(chain.verifies(HashChain.GENESIS, SECOND, second)).isFalse();
    }

    @Test
    void a_chain_written_with_another_key_does_not_verify() {
        byte[] forged = new HashChain(OTHER_KEY).next(HashChain.GENESIS, FIRST);

        assertThat(chain.verifies(HashChain.GENESIS, FIRST, forged)).isFalse();
    }

    @Test
    void a_missing_or_truncated_hash_does_not_verify() {
        byte[] hash = chain.next(HashChain.GENESIS, FIRST);

        assertThat(chain.verifies(HashChain.GENESIS, FIRST, null)).isFalse();
        assertThat(chain.verifies(HashChain.GENESIS, FIRST, Arrays.copyOf(hash, 16))).isFalse();
    }
}
