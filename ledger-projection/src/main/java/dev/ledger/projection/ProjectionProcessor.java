package dev.ledger.projection;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Decodes a task's records and collects them into its {@link ReadModelBuffer}. Decoding happens here, not
 * in a deserializer, so that an unreadable record reaches the buffer with its offset and is parked like
 * any event that cannot be applied. The buffer is written at every commit; when it reaches
 * {@code maxBatchEvents} first, it is written at once and a commit is requested, so memory and the size
 * of one PostgreSQL transaction stay bounded.
 */
final class ProjectionProcessor implements Processor<byte[], byte[], Void, Void> {
    private final int maxBatchEvents;
    private ProcessorContext<Void, Void> context;
    private ReadModelBuffer buffer;

    ProjectionProcessor(int maxBatchEvents) {
        this.maxBatchEvents = maxBatchEvents;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.buffer = context.getStateStore(ReadModelBuffer.NAME);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata at = context.recordMetadata().orElseThrow(
                () -> new IllegalStateException("a projected record always comes from the source topic"));
        EventRecord.readAll(at.topic(), at.partition(), at.offset(), record.key(), record.value()).forEach(buffer::add);
        if (buffer.size() >= maxBatchEvents) {
            buffer.writePending();
            context.commit();
        }
    }
}
