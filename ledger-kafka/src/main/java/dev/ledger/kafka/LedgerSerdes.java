package dev.ledger.kafka;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Kafka serdes over {@link EventCodec} and {@link LedgerJson}. A null value stays null (a tombstone is not an event). */
public final class LedgerSerdes {
    private LedgerSerdes() {
    }

    public static Serde<EventEnvelope> events() {
        return Serdes.serdeFrom((topic, e) -> e == null ? null : EventCodec.write(e),
                (topic, bytes) -> bytes == null ? null : EventCodec.read(bytes));
    }

    public static Serde<CommandEnvelope> commands() {
        return Serdes.serdeFrom((topic, c) -> c == null ? null : LedgerJson.writeCommand(c),
                (topic, bytes) -> bytes == null ? null : LedgerJson.readCommand(bytes));
    }

    public static Serde<CommandResult> results() {
        return json(CommandResult.class);
    }

    public static <T> Serde<T> json(Class<T> type) {
        return Serdes.serdeFrom((topic, v) -> v == null ? null : LedgerJson.writeValue(v),
                (topic, bytes) -> bytes == null ? null : LedgerJson.readValue(bytes, type));
    }
}
