package dev.ledger.projection;

import dev.ledger.kafka.EventEnvelope;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Collects a task's events into its {@link ReadModelBuffer}. The buffer is written at every commit; when
 * it reaches {@code maxBatchEvents} first, it is written at once and a commit is requested, so memory
 * and the size of one PostgreSQL transaction stay bounded.
 */
final class ProjectionProcessor implements Processor<String, EventEnvelope, Void, Void> {
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
    public void process(Record<String, EventEnvelope> record) {
        EventEnvelope event = record.value();
        // ledger.events never holds a tombstone; one here is not an event we may skip.
        if (event == null) throw new ProjectionHaltedException("a record without an event at " + position());
        if (record.key() != null && !record.key().equals(event.aggregateId())) {
            throw new ProjectionHaltedException("record at " + position() + " is keyed '" + record.key()
                    + "' but carries an event of '" + event.aggregateId() + "'");
        }
        buffer.add(event);
        if (buffer.size() >= maxBatchEvents) {
            buffer.writePending();
            context.commit();
        }
    }

    private String position() {
        return context.recordMetadata()
                .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
                .orElse("an unknown position");
    }
}
