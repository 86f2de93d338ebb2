package dev.ledger.kafka;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.ByteBuffer;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The one-pass UUID forms give what the JDK's own would, for every text and every name. */
class CanonicalUuidTest {

    @Property
    void a_uuid_as_the_jdk_writes_it_gives_its_sixteen_bytes(@ForAll long msb, @ForAll long lsb) {
        UUID uuid = new UUID(msb, lsb);
        byte[] expected = ByteBuffer.allocate(16).putLong(msb).putLong(lsb).array();
        assertThat(CanonicalUuid.bytesOf(uuid.toString())).isEqualTo(expected);
    }

    @Property
    void any_other_text_is_no_canonical_uuid(@ForAll("nearlyUuids") String text) {
        assertThat(CanonicalUuid.bytesOf(text) != null).isEqualTo(jdkReadsItBackAsItWas(text));
    }

    @Property
    void a_name_based_uuid_is_the_jdks(@ForAll byte[] name) {
        assertThat(CanonicalUuid.nameBased(name)).isEqualTo(UUID.nameUUIDFromBytes(name));
    }

    /** UUIDs with one character changed (case, a dash, a digit out of place), and text of the same length. */
    @Provide
    Arbitrary<String> nearlyUuids() {
        Arbitrary<String> changed = Arbitraries.randomValue(random -> {
            char[] text = UUID.randomUUID().toString().toCharArray();
            int at = random.nextInt(text.length);
            text[at] = "0123456789abcdefABCDEF-g {}".charAt(random.nextInt(27));
            return new String(text);
        });
        return Arbitraries.oneOf(changed, Arbitraries.strings().ofLength(CanonicalUuid.TEXT_LENGTH),
                Arbitraries.strings().withChars("0123456789abcdef-").ofMinLength(30).ofMaxLength(40));
    }

    private static boolean jdkReadsItBackAsItWas(String text) {
        try {
            return text.length() == CanonicalUuid.TEXT_LENGTH && UUID.fromString(text).toString().equals(text);
        } catch (IllegalArgumentException notUuid) {
            return false;
        }
    }
}
