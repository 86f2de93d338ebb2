package dev.ledger.launcher;

import dev.ledger.kafka.EventCodec;
import dev.ledger.kafka.EventEnvelope;
import dev.ledger.kafka.EventRecords;
import dev.ledger.kafka.HashChain;
import dev.ledger.kafka.LedgerConfig;
import dev.ledger.kafka.LedgerJson;
import dev.ledger.kafka.LedgerKeys;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A log as an existing deployment holds it, made from a generated history (which is written as the
 * engine writes today): each partition's first third of events in the first format (one JSON envelope
 * per record, its link in the {@value HashChain#HEADER} header), its second third in JSON batch frames,
 * the rest in batches of binary events, as three builds of the ledger would have written them in turn.
 * Every aggregate's chain is linked again, under the ledger's signing key, over the bytes it now holds,
 * so an aggregate whose history spans the thirds has one chain from JSON to binary events.
 */
final class OldFormatLog {
    private static final int EVENTS_PER_BATCH = 25;

    private enum Format { FIRST, JSON_BATCH, BINARY_BATCH }

    private OldFormatLog() {
    }

    /** @return how many events of each format were written */
    static Map<String, Integer> copy(LedgerConfig config, String generated, String target) {
        Map<Integer, List<EventEnvelope>> byPartition = new TreeMap<>();
        new LedgerClient(() -> "", config, null).readCommitted(generated, r -> byPartition
                .computeIfAbsent(r.partition(), p -> new ArrayList<>())
                .addAll(EventRecords.decode(r.key(), r.value(), r.headers())));
        LedgerKeys keys = config.keys();
        var chain = new HashChain(keys.signingKey());
        Map<String, byte[]> lastHash = new HashMap<>();
        Map<String, Integer> written = new TreeMap<>();
        try (var producer = AuditFixtures.producer(config)) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            byPartition.forEach((partition, events) -> {
                var batch = new ArrayList<EventRecords.Stored>();
                Format batchFormat = null;
                for (int i = 0; i < events.size(); i++) {
                    EventEnvelope event = events.get(i);
                    Format format = Format.values()[Math.min(2, 3 * i / events.size())];
                    byte[] bytes = format == Format.BINARY_BATCH ? EventCodec.write(event) : LedgerJson.writeEvent(event);
                    byte[] hash = chain.next(lastHash.getOrDefault(event.aggregateId(), HashChain.GENESIS), bytes);
                    lastHash.put(event.aggregateId(), hash);
                    written.merge(format.name(), 1, Integer::sum);
                    if (batchFormat != null && (format != batchFormat || batch.size() == EVENTS_PER_BATCH)) {
                        sent.add(producer.send(batchRecord(target, partition, batch, keys)));
                        batch.clear();
                    }
                    if (format == Format.FIRST) {
                        sent.add(producer.send(new ProducerRecord<>(target, partition, event.aggregateId(), bytes,
                                keys.sign(new RecordHeaders().add(HashChain.HEADER, hash)))));
                        batchFormat = null;
                    } else {
                        batch.add(new EventRecords.Stored(event.aggregateId(), bytes, hash));
                        batchFormat = format;
                    }
                }
                if (!batch.isEmpty()) sent.add(producer.send(batchRecord(target, partition, batch, keys)));
            });
            for (var f : sent) f.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not write the old formats to " + target, e);
        }
        return written;
    }

    private static ProducerRecord<String, byte[]> batchRecord(String topic, int partition, List<EventRecords.Stored> batch,
                                                              LedgerKeys keys) {
        return new ProducerRecord<>(topic, partition, batch.getFirst().key(), EventRecords.write(List.copyOf(batch)),
                keys.sign(new RecordHeaders()));
    }
}
