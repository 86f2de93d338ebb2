package dev.ledger.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The one workload every system gets: the same accounts, each funded with the same opening balance,
 * and the same sequence of transfers. Transfer {@code i} of a sequence is a pure function of the seed
 * and {@code i}, so the Kafka limit, the PostgreSQL baseline and the ledger see the same debit and
 * credit accounts and amounts in the same order, whatever their speed.
 *
 * @param accounts       how many customer accounts (transfers pick two distinct ones at random, uniformly)
 * @param openingBalance what each account holds before the measurement, in minor units
 * @param maxAmount      amounts are uniform in 1..maxAmount minor units
 * @param seed           the seed of every sequence
 */
public record Workload(int accounts, long openingBalance, long maxAmount, long seed) {
    public static final String CURRENCY = "EUR";
    /** The ledger's settlement account, through which the opening balances enter (unlimited overdraft). */
    public static final String SETTLEMENT = "bench-settlement";

    public Workload {
        if (accounts < 2) throw new IllegalArgumentException("at least two accounts are needed");
        if (maxAmount < 1 || openingBalance < 0) throw new IllegalArgumentException("amounts must be positive");
    }

    /** A transfer of the workload. */
    public record Transfer(String id, String debit, String credit, long amount) {
    }

    public String accountId(int index) {
        return "acct-" + index;
    }

    public List<String> accountIds() {
        var ids = new ArrayList<String>(accounts);
        for (int i = 0; i < accounts; i++) ids.add(accountId(i));
        return ids;
    }

    /**
     * Transfer {@code index} of the sequence named {@code sequence} (for example "single" or "batch"):
     * the accounts and amount depend only on the seed and the index, the id on the sequence too, so
     * that ids never repeat across the sequences of one ledger.
     */
    public Transfer transfer(String sequence, long index) {
        var random = new SplittableRandom(mix(seed, index));
        int debit = random.nextInt(accounts);
        int credit = random.nextInt(accounts - 1);
        if (credit >= debit) credit++;
        long amount = 1 + random.nextLong(maxAmount);
        return new Transfer(sequence + "-" + index, accountId(debit), accountId(credit), amount);
    }

    /** Recognises the ids of the first {@code count} transfers of a sequence, without listing them. */
    public java.util.function.Predicate<String> isTransferId(String sequence, long count) {
        String prefix = sequence + "-";
        return id -> {
            if (id == null || !id.startsWith(prefix) || id.length() == prefix.length()) return false;
            String index = id.substring(prefix.length());
            if (!index.chars().allMatch(Character::isDigit) || index.length() > 18) return false;
            return Long.parseLong(index) < count;
        };
    }

    public List<Transfer> transfers(String sequence, long from, int count) {
        var list = new ArrayList<Transfer>(count);
        for (int i = 0; i < count; i++) list.add(transfer(sequence, from + i));
        return list;
    }

    /** SplitMix64's finaliser over the seed and the index: neighbouring indexes get unrelated streams. */
    private static long mix(long seed, long index) {
        long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
