package dev.ledger.audit;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The violations found so far, shared by the reading threads. Every one is counted; the first
 * {@code keptPerCheck} of each check are kept in full, so that a log broken everywhere cannot
 * exhaust the memory of the audit that reports it.
 */
final class Violations {
    static final int DEFAULT_KEPT_PER_CHECK = 10_000;

    private final int keptPerCheck;
    private final Map<AuditCheck, List<Violation>> kept = new EnumMap<>(AuditCheck.class);
    private final Map<AuditCheck, Long> counts = new EnumMap<>(AuditCheck.class);

    Violations(int keptPerCheck) {
        this.keptPerCheck = keptPerCheck;
    }

    synchronized void add(Violation violation) {
        counts.merge(violation.check(), 1L, Long::sum);
        List<Violation> list = kept.computeIfAbsent(violation.check(), c -> new ArrayList<>());
        if (list.size() < keptPerCheck) list.add(violation);
    }

    void add(AuditCheck check, String aggregateId, Long seq, Integer partition, Long offset, String detail) {
        add(new Violation(check, aggregateId, seq, partition, offset, detail));
    }

    synchronized long count(AuditCheck check) {
        return counts.getOrDefault(check, 0L);
    }

    synchronized List<Violation> kept(AuditCheck check) {
        return List.copyOf(kept.getOrDefault(check, List.of()));
    }
}
