package dev.ledger.kafka;

import dev.ledger.domain.account.AccountCommand.CreditAccount;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Currency;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

final class HopSealTest {
    private static final byte[] KEY = "ledger-test-key-0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NEW_KEY = "ledger-rotated-key-0123456789abc".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HOP = LedgerJson.writeCommand(new CommandEnvelope("t-1/CreditAccount", "CreditAccount",
            Instant.parse("2026-11-22T09:00:00Z"), "t-1", "e-1",
            new CreditAccount("alice", "t-1", 2500, Currency.getInstance("EUR"), "bank", 3)));

    private final HopSeal seal = new HopSeal(LedgerKeys.single(KEY));

    @Test
    void a_hop_sealed_with_the_ledger_key_verifies() {
        assertThat(seal.verifies(HOP, LedgerKeys.DEFAULT_ID, new HopSeal(LedgerKeys.single(KEY)).seal(HOP))).isTrue();
    }

    @Test
    void no_seal_another_keys_seal_or_a_changed_byte_fails() {
        byte[] mine = seal.seal(HOP);
        byte[] altered = Arrays.copyOf(HOP, HOP.length);
        altered[altered.length - 3] ^= 1;

        assertThat(seal.verifies(HOP, LedgerKeys.DEFAULT_ID, null)).isFalse();
        assertThat(seal.verifies(HOP, LedgerKeys.DEFAULT_ID, new HopSeal(LedgerKeys.single(
                "another-key-0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII))).seal(HOP))).isFalse();
        assertThat(seal.verifies(altered, LedgerKeys.DEFAULT_ID, mine)).isFalse();
    }

    @Test
    void after_a_rotation_a_hop_sealed_with_the_old_key_or_the_new_one_verifies_by_the_id_it_names() {
        var ring = new LedgerKeys(Map.of(LedgerKeys.DEFAULT_ID, KEY, "2026-12", NEW_KEY), "2026-12");
        byte[] old = seal.seal(HOP);
        byte[] rotated = new HopSeal(ring).seal(HOP);
        var verifier = new HopSeal(ring);

        assertThat(verifier.verifies(HOP, LedgerKeys.DEFAULT_ID, old)).isTrue();
        assertThat(verifier.verifies(HOP, "2026-12", rotated)).isTrue();
        assertThat(verifier.verifies(HOP, LedgerKeys.DEFAULT_ID, rotated)).as("the new seal under the old id").isFalse();
        assertThat(verifier.verifies(HOP, "2027-01", rotated)).as("an id the ring does not hold").isFalse();
    }

    @Test
    void a_seal_is_not_the_first_link_of_a_hash_chain_over_the_same_bytes() {
        assertThat(seal.seal(HOP)).isNotEqualTo(new HashChain(KEY).next(HashChain.GENESIS, HOP));
    }
}
