package dev.ledger.kafka;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The ledger's HMAC keys by id, and which one signs what this process writes: the one place that picks a
 * key. Every record the processor writes (an event record, a sealed saga step) names its signing key's id in
 * the header {@value #HEADER}; every verifier (the audit's hash chain, the processor's hop seal) takes the key
 * that the record names, so a key is rotated by adding a new one and signing with it, and every record
 * written before stays verifiable as long as its key stays in the ring. A record without the header was
 * written before keys had ids: it names the legacy key, id {@value #DEFAULT_ID} (LEDGER_KEY_HEX or the data
 * directory's key), so existing logs verify unchanged.
 *
 * <p>{@code LEDGER_KEYS_FILE} names a secret file (outside the data directory: a mounted secret) that holds
 * the ring as properties:
 * <pre>
 *   signing=2026-12
 *   key.2026-12=5f1c...   (hex, at least 16 bytes)
 *   key.2026-06=9a0b...
 * </pre>
 * Immutable and thread-safe; the MACs made from it ({@link #chains()}) are not.
 */
public final class LedgerKeys {
    public static final String HEADER = "ledger-key-id";
    /** The id of the key of records without {@value #HEADER}: the single key of a ledger before rotation. */
    public static final String DEFAULT_ID = "default";
    public static final int MIN_KEY_BYTES = 16;
    public static final String KEYS_FILE_VARIABLE = "LEDGER_KEYS_FILE";
    public static final String KEY_HEX_VARIABLE = "LEDGER_KEY_HEX";
    static final String SIGNING_PROPERTY = "signing";
    static final String KEY_PREFIX = "key.";
    /** Short printable ids: a header value, a line of a report. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final Map<String, byte[]> keys;
    private final String signingId;
    private final byte[] signingIdBytes;

    public LedgerKeys(Map<String, byte[]> keys, String signingId) {
        var copy = new TreeMap<String, byte[]>();
        keys.forEach((id, key) -> {
            if (id == null || !ID.matcher(id).matches()) {
                throw new IllegalArgumentException("a key id is 1 to 64 letters, digits, '.', '_' or '-', starting with a "
                        + "letter or digit; was '" + id + "'");
            }
            if (key == null || key.length < MIN_KEY_BYTES) {
                throw new IllegalArgumentException("the ledger key '" + id + "' must hold at least " + MIN_KEY_BYTES + " bytes");
            }
            copy.put(id, key.clone());
        });
        if (!copy.containsKey(signingId)) {
            throw new IllegalArgumentException("the signing key id '" + signingId + "' is not among the keys " + copy.keySet());
        }
        this.keys = copy;
        this.signingId = signingId;
        this.signingIdBytes = signingId.getBytes(StandardCharsets.US_ASCII);
    }

    /** One key, the legacy default: what a ledger had before keys had ids. */
    public static LedgerKeys single(byte[] key) {
        return new LedgerKeys(Map.of(DEFAULT_ID, key), DEFAULT_ID);
    }

    /**
     * The ring from the environment: {@code LEDGER_KEYS_FILE}, plus the legacy key as id {@value #DEFAULT_ID}
     * ({@code LEDGER_KEY_HEX} or its {@code _FILE}, else {@code legacyKey}, the data directory's; either may be
     * absent when the file holds every key). Without a file, the legacy key alone signs.
     *
     * @param legacyKey the data directory's key, or null when there is none
     */
    public static LedgerKeys fromEnvironment(Map<String, String> env, byte[] legacyKey) {
        byte[] legacy = Secrets.fromEnvironment(env, KEY_HEX_VARIABLE).map(hex -> parseHex(hex, KEY_HEX_VARIABLE))
                .orElse(legacyKey);
        String file = env.get(KEYS_FILE_VARIABLE);
        if (file == null) {
            if (legacy == null) throw new IllegalArgumentException("no ledger key: set " + KEY_HEX_VARIABLE + " or " + KEYS_FILE_VARIABLE);
            return single(legacy);
        }
        return parse(Secrets.readFile(Path.of(file), KEYS_FILE_VARIABLE), legacy);
    }

    /** Whether the environment names the key itself, so that no data directory key is needed or made. */
    public static boolean configured(Map<String, String> env) {
        return Secrets.fromEnvironment(env, KEY_HEX_VARIABLE).isPresent() || env.get(KEYS_FILE_VARIABLE) != null;
    }

    /** The ring a keys file describes, with the legacy key (may be null) as {@value #DEFAULT_ID}. */
    static LedgerKeys parse(String fileContent, byte[] legacyKey) {
        var props = new Properties();
        try {
            props.load(new StringReader(fileContent));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(KEYS_FILE_VARIABLE + " is not a properties file", e);
        }
        var keys = new LinkedHashMap<String, byte[]>();
        if (legacyKey != null) keys.put(DEFAULT_ID, legacyKey);
        String signing = null;
        for (var entry : propsAsMap(props).entrySet()) {
            String name = entry.getKey();
            String value = entry.getValue().strip();
            if (name.equals(SIGNING_PROPERTY)) {
                signing = value;
            } else if (name.startsWith(KEY_PREFIX)) {
                String id = name.substring(KEY_PREFIX.length());
                byte[] key = parseHex(value, KEYS_FILE_VARIABLE + " " + name);
                byte[] earlier = keys.put(id, key);
                if (earlier != null && !MessageDigest.isEqual(earlier, key)) {
                    throw new IllegalArgumentException(KEYS_FILE_VARIABLE + " names a key '" + id + "' other than "
                            + KEY_HEX_VARIABLE + " (or the data directory's key), which is id '" + DEFAULT_ID + "'");
                }
            } else {
                throw new IllegalArgumentException(KEYS_FILE_VARIABLE + ": unknown entry '" + name + "' (only '"
                        + SIGNING_PROPERTY + "' and '" + KEY_PREFIX + "<id>')");
            }
        }
        if (signing == null) {
            throw new IllegalArgumentException(KEYS_FILE_VARIABLE + " must say which key signs new records: "
                    + SIGNING_PROPERTY + "=<id>");
        }
        return new LedgerKeys(keys, signing);
    }

    private static Map<String, String> propsAsMap(Properties props) {
        var map = new TreeMap<String, String>();
        props.stringPropertyNames().forEach(n -> map.put(n, props.getProperty(n)));
        return map;
    }

    /** An error names where the hex came from, never the hex. */
    private static byte[] parseHex(String hex, String where) {
        try {
            return HexFormat.of().parseHex(hex.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " is not hex");
        }
    }

    public String signingId() {
        return signingId;
    }

    public byte[] signingKey() {
        return keys.get(signingId).clone();
    }

    /** The key a record names, if the ring holds it. */
    public Optional<byte[]> key(String id) {
        byte[] key = keys.get(id);
        return key == null ? Optional.empty() : Optional.of(key.clone());
    }

    public Set<String> ids() {
        return keys.keySet();
    }

    /** The key id a record names: its {@value #HEADER} header, else {@value #DEFAULT_ID} (written before key ids). */
    public static String idOf(Headers headers) {
        Header header = headers == null ? null : headers.lastHeader(HEADER);
        return header == null || header.value() == null ? DEFAULT_ID : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** A record's key id as a reason may show it: quoted when it has a key id's shape, else not repeated. */
    public static String describe(String id) {
        return ID.matcher(id).matches() ? "'" + id + "'" : "(not a key id)";
    }

    /** Adds the signing key's id to the headers of a record this process signs. */
    public Headers sign(Headers headers) {
        return headers.add(HEADER, signingIdBytes.clone());
    }

    /** A MAC per key id, for one thread (a {@link HashChain} is not thread-safe). */
    public Map<String, HashChain> chains() {
        var chains = new TreeMap<String, HashChain>();
        keys.forEach((id, key) -> chains.put(id, new HashChain(key)));
        return chains;
    }

    /** The ids only: a key is never shown. */
    @Override
    public String toString() {
        return "LedgerKeys[ids=" + keys.keySet() + ", signing=" + signingId + "]";
    }
}
