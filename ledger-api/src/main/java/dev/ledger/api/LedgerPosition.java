package dev.ledger.api;

import dev.ledger.domain.Ids;
import dev.ledger.kafka.CommandResult;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A consistency token: for each account, the sequence number of the last event a write caused
 * there. Written as {@code alice:17,bob:4}. Ids may contain ':' (never ','), so an entry splits at
 * its last ':'.
 */
record LedgerPosition(Map<String, Long> seqByAccount) {
    static final String HEADER = "Ledger-Position";
    static final String MIN_HEADER = "Ledger-Min-Position";
    /** A batch of 1000 transfers touches at most 2000 accounts; a token naming more is not ours. */
    static final int MAX_ACCOUNTS = 2048;
    static final LedgerPosition EMPTY = new LedgerPosition(Map.of());

    private static final Pattern SEQ = Pattern.compile("[0-9]{1,18}");

    LedgerPosition {
        // sorted, so that the same position always reads the same
        seqByAccount = Collections.unmodifiableMap(new TreeMap<>(seqByAccount));
    }

    static LedgerPosition of(Map<String, Long> seqByAccount) {
        return seqByAccount.isEmpty() ? EMPTY : new LedgerPosition(seqByAccount);
    }

    /** @throws IllegalArgumentException when the token is not one this server writes */
    static LedgerPosition parse(String token) {
        String trimmed = token.strip();
        if (trimmed.isEmpty()) return EMPTY;
        String[] parts = trimmed.split(",", -1);
        if (parts.length > MAX_ACCOUNTS) throw new IllegalArgumentException("names more than " + MAX_ACCOUNTS + " accounts");
        var seqs = new TreeMap<String, Long>();
        for (String part : parts) {
            String entry = part.strip();
            int colon = entry.lastIndexOf(':');
            if (colon <= 0) throw new IllegalArgumentException("'" + entry + "' is not <accountId>:<seq>");
            String accountId = entry.substring(0, colon);
            String seq = entry.substring(colon + 1);
            if (!isAggregateName(accountId)) {
                throw new IllegalArgumentException("'" + accountId
                        + "' is not an account id, transfer/<transferId> or movement/<accountId>/<transferId>");
            }
            if (!SEQ.matcher(seq).matches()) throw new IllegalArgumentException("'" + seq + "' is not a sequence number");
            seqs.merge(accountId, Long.parseLong(seq), Math::max);
        }
        return new LedgerPosition(seqs);
    }

    /**
     * An account id, {@code transfer/<transferId>} for a transfer's own entry, or
     * {@code movement/<accountId>/<transferId>} for a transfer's posted movement on an account.
     */
    private static boolean isAggregateName(String name) {
        String transfer = CommandResult.TRANSFER_POSITION_PREFIX;
        String movement = CommandResult.MOVEMENT_POSITION_PREFIX;
        if (name.startsWith(movement)) {
            String[] ids = name.substring(movement.length()).split("/", -1);
            return ids.length == 2 && Ids.isValid(ids[0]) && Ids.isValid(ids[1]);
        }
        return Ids.isValid(name) || name.startsWith(transfer) && Ids.isValid(name.substring(transfer.length()));
    }

    String format() {
        return seqByAccount.entrySet().stream()
                .map(e -> e.getKey() + ":" + e.getValue())
                .collect(Collectors.joining(","));
    }

    /**
     * The later seq of each aggregate over many outcomes: what a read must see to reflect all those
     * writes. One map for all, not a copy per outcome: a batch has a thousand.
     */
    static LedgerPosition mergeAll(List<Map<String, Long>> positions) {
        var merged = new TreeMap<String, Long>();
        for (Map<String, Long> position : positions) {
            position.forEach((aggregate, seq) -> merged.merge(aggregate, seq, Math::max));
        }
        return of(merged);
    }

    boolean isEmpty() {
        return seqByAccount.isEmpty();
    }

    /**
     * Of {@code needed} (a name and the seq a read must see there), the names whose projected seq is still
     * below it; a name absent from {@code projected} has nothing projected yet.
     */
    static Map<String, Long> unreached(Map<String, Long> needed, Map<String, Long> projected) {
        var behind = new HashMap<String, Long>();
        needed.forEach((name, seq) -> {
            if (projected.getOrDefault(name, 0L) < seq) behind.put(name, seq);
        });
        return behind;
    }
}
