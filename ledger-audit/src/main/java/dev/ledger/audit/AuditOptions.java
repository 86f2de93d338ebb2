package dev.ledger.audit;

import java.time.Duration;
import java.time.Instant;

/**
 * What to audit and how.
 *
 * @param eventsTopic        the topic to replay; null for the ledger's own event topic
 * @param asOf               replay only what had happened at this instant; null for the whole history
 * @param threads            reading and folding threads, each owning a share of the partitions
 * @param reconcile          compare the replay with the PostgreSQL read model
 * @param readModelSchema    the read model's schema
 * @param reconciliationWait how long a read model that is behind the log may take to catch up before
 *                           its missing rows count as differences
 */
public record AuditOptions(String eventsTopic, Instant asOf, int threads, boolean reconcile, String readModelSchema,
                           Duration reconciliationWait) {
    public static final String DEFAULT_READ_MODEL_SCHEMA = "read_model";

    public AuditOptions {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1");
        if (readModelSchema == null || !readModelSchema.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("not a plain schema name: " + readModelSchema);
        }
    }

    /** The whole history of the ledger's own topic, on every core, reconciled. */
    public static AuditOptions defaults() {
        return new AuditOptions(null, null, Runtime.getRuntime().availableProcessors(), true,
                DEFAULT_READ_MODEL_SCHEMA, Duration.ofSeconds(30));
    }

    public AuditOptions withEventsTopic(String topic) {
        return new AuditOptions(topic, asOf, threads, reconcile, readModelSchema, reconciliationWait);
    }

    public AuditOptions withAsOf(Instant instant) {
        return new AuditOptions(eventsTopic, instant, threads, reconcile, readModelSchema, reconciliationWait);
    }

    public AuditOptions withThreads(int count) {
        return new AuditOptions(eventsTopic, asOf, count, reconcile, readModelSchema, reconciliationWait);
    }

    public AuditOptions withReconcile(boolean on) {
        return new AuditOptions(eventsTopic, asOf, threads, on, readModelSchema, reconciliationWait);
    }

    public AuditOptions withReconciliationWait(Duration wait) {
        return new AuditOptions(eventsTopic, asOf, threads, reconcile, readModelSchema, wait);
    }
}
