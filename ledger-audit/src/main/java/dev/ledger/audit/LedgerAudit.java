package dev.ledger.audit;

import dev.ledger.audit.AuditReport.CheckResult;
import dev.ledger.audit.AuditReport.PartitionRange;
import dev.ledger.audit.AuditReport.ReconciliationSummary;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.kafka.KafkaClients;
import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.LedgerKeys;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The audit replay (ledger-audit/README.md): the event log read from its beginning (or up
 * to an instant) with a read-committed consumer of its own, every aggregate folded through the
 * domain's {@code evolve} functions, every check run, and the result reconciled with the read model.
 * Trusts nothing but the log and the ledger key: not the processor's state, not the read model.
 *
 * <pre>
 *   ledger.events ──► AuditReader (N threads, each a share of the partitions, in partition order)
 *                        └─► AuditShard: read, key/partition, seq, HMAC chain, evolve, limits, saga facts
 *   ledger.commands.dlq ──► DeadLetteredSteps: the saga steps the processor refused, by transfer
 *                 ──► AuditEvaluation: merge; saga, transfers, dead-lettered steps, invariant
 *                 ──► Reconciliation: replay vs PostgreSQL, row by row
 *                 ──► AuditReport (summary and JSON)
 * </pre>
 *
 * <h2>The cut of an as-of audit</h2>
 * The processor stamps each event with its wall clock when it decides it, and decides the events of a
 * saga one after the other, so "every event with {@code occurredAt <= T}" is a consistent cut: a
 * capture at or before T follows its credit, which is at or before T too. Each aggregate's history is
 * cut at its first event after T (a later event of the same aggregate stamped earlier, which only a
 * clock stepping back could produce, stays out too), so the cut is a prefix of every history.
 */
public final class LedgerAudit {

    private LedgerAudit() {
    }

    public static AuditReport run(LedgerConfig config, AuditOptions options) {
        return run(config, options, AuditProgress.NONE);
    }

    public static AuditReport run(LedgerConfig config, AuditOptions options, AuditProgress progress) {
        Objects.requireNonNull(config, "config");
        Instant startedAt = Instant.now();
        long start = System.nanoTime();
        String topic = options.eventsTopic() != null ? options.eventsTopic() : config.topics().events();
        Violations violations = new Violations(Violations.DEFAULT_KEPT_PER_CHECK);

        KafkaClients clients = KafkaClients.of(config);
        AuditReader.Snapshot snapshot = AuditReader.snapshot(clients, topic);
        LedgerKeys keys = config.keys();
        ConcurrentMap<String, AuditShard.Track<TransferState>> transfers = new ConcurrentHashMap<>(1 << 16);
        List<AuditShard> shards = AuditReader.read(clients, snapshot, options.threads(),
                () -> new AuditShard(topic, keys, options.asOf(), violations, transfers), progress);
        long readNanos = System.nanoTime() - start;
        // read after the events, so that a step dead-lettered meanwhile is one of a transfer the replay knows;
        // only the steps of transfers in flight can matter
        DeadLetteredSteps deadLettered = DeadLetteredSteps.read(clients,
                config.topics().deadLetters(), options.asOf(), id -> {
                    AuditShard.Track<TransferState> track = transfers.get(id);
                    return track != null && track.state instanceof TransferState.InFlight;
                });

        AuditEvaluation evaluation = new AuditEvaluation(shards, transfers, violations,
                options.asOf() != null ? options.asOf() : startedAt, deadLettered);
        ReconciliationSummary reconciliation = options.reconcile()
                ? new Reconciliation(config.jdbcUrl(), config.dbUser(), config.dbPassword(), options.readModelSchema())
                .reconcile(evaluation, options.asOf(), latestEvent(shards), options.reconciliationWait(), violations)
                : Reconciliation.skipped(options.readModelSchema(), "not asked for");

        long records = shards.stream().mapToLong(s -> s.recordsRead).sum();
        long audited = shards.stream().mapToLong(s -> s.eventsAudited).sum();
        long afterCut = shards.stream().mapToLong(s -> s.eventsAfterAsOf).sum();
        List<CheckResult> checks = new ArrayList<>();
        for (AuditCheck check : AuditCheck.values()) {
            long count = violations.count(check);
            boolean skipped = check == AuditCheck.RECONCILIATION && !reconciliation.performed();
            checks.add(new CheckResult(check, check.description() + (skipped ? " (skipped)" : ""), count == 0,
                    count, violations.kept(check)));
        }
        List<PartitionRange> partitions = snapshot.partitions().stream()
                .map(p -> new PartitionRange(p.partition(), snapshot.begin().get(p), snapshot.end().get(p))).toList();
        long readMillis = Math.max(1, readNanos / 1_000_000);
        return new AuditReport(topic, options.asOf(), startedAt, readMillis,
                (System.nanoTime() - start) / 1_000_000, records, audited, afterCut,
                Math.round(records / (readNanos / 1e9)), partitions, evaluation.balances(), evaluation.totals(),
                evaluation.counts(), evaluation.inFlight(), checks, reconciliation,
                checks.stream().allMatch(CheckResult::passed));
    }

    private static Instant latestEvent(List<AuditShard> shards) {
        Instant latest = null;
        for (AuditShard shard : shards) {
            if (shard.latest != null && (latest == null || shard.latest.isAfter(latest))) latest = shard.latest;
        }
        return latest;
    }
}
