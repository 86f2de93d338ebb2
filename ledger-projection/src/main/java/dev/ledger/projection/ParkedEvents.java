package dev.ledger.projection;

import dev.ledger.projection.ReadModelWriter.TransactionStep;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * The {@code projection_parked} table of one partition: the event the projection could not apply and
 * every later event of that partition, in offset order, each as the exact bytes read from Kafka. The
 * offsets the projection commits cover them, so these rows are where they wait until a fix lets them be
 * applied. Each method is a step of a read-model transaction, so that parking happens before the offsets
 * are committed and un-parking in the transaction that writes the event's rows.
 */
final class ParkedEvents {
    static final int MAX_REASON_CHARS = 2_000;

    private static final String INSERT = """
            INSERT INTO projection_parked (topic, event_partition, event_offset, event_index, record_key, event_id, reason,
                                           raw_value)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (topic, event_partition, event_offset, event_index) DO NOTHING""";
    private static final String DELETE = """
            DELETE FROM projection_parked WHERE topic = ? AND event_partition = ? AND event_offset = ? AND event_index = ?""";
    private static final String SET_REASON = """
            UPDATE projection_parked SET reason = ?
            WHERE topic = ? AND event_partition = ? AND event_offset = ? AND event_index = ?""";
    private static final String LOAD = """
            SELECT event_offset, event_index, record_key, raw_value FROM projection_parked
            WHERE topic = ? AND event_partition = ? ORDER BY event_offset, event_index LIMIT ?""";

    private final String topic;
    private final int partition;

    ParkedEvents(String topic, int partition) {
        this.topic = topic;
        this.partition = partition;
    }

    /**
     * Parks the records; one already parked (a redelivery) stays as it is.
     *
     * @param first       the record the partition is stuck on, when it is among them
     * @param firstReason why it could not be applied
     */
    TransactionStep park(List<EventRecord> records, EventRecord first, String firstReason) {
        return connection -> {
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                for (EventRecord r : records) {
                    insert.setString(1, topic);
                    insert.setInt(2, partition);
                    insert.setLong(3, r.offset());
                    insert.setInt(4, r.index());
                    insert.setBytes(5, r.key());
                    insert.setString(6, Printable.of(r.eventId(), 200));
                    insert.setString(7, Printable.of(r == first ? firstReason
                            : "parked behind the stuck event of this partition", MAX_REASON_CHARS));
                    insert.setBytes(8, r.value());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        };
    }

    /** Un-parks the records: run in the transaction that writes their rows. */
    TransactionStep remove(List<EventRecord> records) {
        return connection -> {
            try (PreparedStatement delete = connection.prepareStatement(DELETE)) {
                for (EventRecord r : records) {
                    delete.setString(1, topic);
                    delete.setInt(2, partition);
                    delete.setLong(3, r.offset());
                    delete.setInt(4, r.index());
                    delete.addBatch();
                }
                delete.executeBatch();
            }
        };
    }

    /** The fresh reason of the record the partition is still stuck on. */
    TransactionStep setReason(EventRecord record, String reason) {
        return connection -> {
            try (PreparedStatement update = connection.prepareStatement(SET_REASON)) {
                update.setString(1, Printable.of(reason, MAX_REASON_CHARS));
                update.setString(2, topic);
                update.setInt(3, partition);
                update.setLong(4, record.offset());
                update.setInt(5, record.index());
                update.executeUpdate();
            }
        };
    }

    /** Reads the first {@code limit} parked records, in offset order, decoding each again. */
    TransactionStep load(int limit, Consumer<EventRecord> sink) {
        return connection -> {
            try (PreparedStatement select = connection.prepareStatement(LOAD)) {
                select.setString(1, topic);
                select.setInt(2, partition);
                select.setInt(3, limit);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        sink.accept(EventRecord.read(topic, partition, rs.getLong("event_offset"),
                                rs.getInt("event_index"), rs.getBytes("record_key"), rs.getBytes("raw_value")));
                    }
                }
            }
        };
    }
}
