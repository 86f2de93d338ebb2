package dev.ledger.api;

import dev.ledger.kafka.CommandResult;
import org.apache.kafka.common.utils.Utils;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The partitions of the event topic the read model is stuck on: those with a row in
 * {@code projection_parked} (the projection parks the event it cannot apply, and all after it, there).
 * An account's or a transfer's rows are current only while its partition is not stuck. Asked with one
 * small query (one index probe per partition) at most once per {@link #CACHE_MS}: every read asks.
 * Blocking JDBC: callers run it on the read executor; the query side's pool bounds the query (see
 * {@link ReadModel}).
 */
final class StuckPartitions {
    static final long CACHE_MS = 1_000;
    private static final String FIRST_PARKED = """
            SELECT p.event_partition, p.event_offset, p.event_id, p.reason
            FROM generate_series(0, ? - 1) AS n (partition)
            CROSS JOIN LATERAL (SELECT event_partition, event_offset, event_id, reason FROM projection_parked
                                WHERE topic = ? AND event_partition = n.partition
                                ORDER BY event_offset, event_index LIMIT 1) p""";

    /** The event a partition is stuck on: the first it could not apply. */
    record Stuck(String topic, int partition, long offset, String eventId, String reason) {
    }

    private record Snapshot(Map<Integer, Stuck> byPartition, long takenAtNanos) {
    }

    private final DataSource dataSource;
    private final String topic;
    private final int partitions;
    private final LongSupplier nanoClock;
    private volatile Snapshot snapshot;

    /** @param partitions the event topic's real partition count, as its producer sees it */
    StuckPartitions(DataSource dataSource, String topic, int partitions, LongSupplier nanoClock) {
        if (partitions < 1) throw new IllegalArgumentException("a topic has at least one partition, not " + partitions);
        this.dataSource = dataSource;
        this.topic = topic;
        this.partitions = partitions;
        this.nanoClock = nanoClock;
    }

    /**
     * Where the producer puts an aggregate's events: murmur2 of the key's UTF-8 bytes, as the Kafka
     * producer's default partitioner does (the command processor keys every event by its aggregate id).
     */
    int partitionOf(String aggregateId) {
        return Utils.toPositive(Utils.murmur2(aggregateId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Every stuck partition, by partition. */
    Map<Integer, Stuck> all() {
        Snapshot current = snapshot;
        if (current == null || nanoClock.getAsLong() - current.takenAtNanos() > TimeUnit.MILLISECONDS.toNanos(CACHE_MS)) {
            current = new Snapshot(load(), nanoClock.getAsLong());
            snapshot = current;
        }
        return current.byPartition();
    }

    /**
     * The first stuck partition among those of the named aggregates: account ids, or
     * {@code transfer/<id>} as in a position token.
     */
    Optional<Stuck> firstOf(Collection<String> aggregateNames) {
        Map<Integer, Stuck> stuck = all();
        if (stuck.isEmpty()) return Optional.empty();
        String prefix = CommandResult.TRANSFER_POSITION_PREFIX;
        return aggregateNames.stream()
                .map(name -> name.startsWith(prefix) ? name.substring(prefix.length()) : name)
                .map(id -> stuck.get(partitionOf(id)))
                .filter(s -> s != null)
                .findFirst();
    }

    Optional<Stuck> of(String aggregateId) {
        return Optional.ofNullable(all().get(partitionOf(aggregateId)));
    }

    private Map<Integer, Stuck> load() {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(FIRST_PARKED)) {
            ps.setInt(1, partitions);
            ps.setString(2, topic);
            var stuck = new TreeMap<Integer, Stuck>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int partition = rs.getInt("event_partition");
                    stuck.put(partition, new Stuck(topic, partition, rs.getLong("event_offset"),
                            rs.getString("event_id"), rs.getString("reason")));
                }
            }
            return Map.copyOf(stuck);
        } catch (SQLException e) {
            throw new ReadModel.ReadModelException(e);
        }
    }

    List<Stuck> list() {
        return all().values().stream().sorted(java.util.Comparator.comparingInt(Stuck::partition)).toList();
    }
}
