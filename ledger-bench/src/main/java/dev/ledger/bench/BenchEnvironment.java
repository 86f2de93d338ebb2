package dev.ledger.bench;

import java.net.URI;
import java.util.function.Predicate;

/**
 * Where the three systems run. The ledger is reached over HTTP ({@code ledgerApi}, with an admin key) and its topics on
 * {@code bootstrapServers} are recognised by {@code ledgerTopic}; the limit appends to scratch topics
 * on the same broker; the baseline runs on its own PostgreSQL database. Process ids (0 when unknown)
 * let the resource sampler measure the broker and the PostgreSQL servers. {@code revision} names the
 * code measured (a git description), for the report.
 */
public record BenchEnvironment(
        String bootstrapServers,
        URI ledgerApi,
        String ledgerApiKey,
        Predicate<String> ledgerTopic,
        int partitions,
        long commitIntervalMs,
        String baselineJdbcUrl,
        String baselineUser,
        String baselinePassword,
        long kafkaPid,
        long readModelPostgresPid,
        long baselinePostgresPid,
        String revision) {
}
