package dev.ledger.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.TextFormat;
import dev.ledger.domain.SagaSteps;
import dev.ledger.kafka.proto.Wire;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * One record of the dead-letter topic, as a person or the audit reads it: where the command came from,
 * why it was refused, and what it was when its bytes can still be read. The processor writes the
 * command's key, value and timestamp unchanged, with the two headers named here.
 *
 * @param partition   the dead letter's own partition on the dead-letter topic
 * @param offset      its own offset there
 * @param source      where the command was read: {@code <topic>-<partition>@<offset>}
 * @param key         the command record's key (the aggregate it claimed to address), or null
 * @param reason      why the processor refused it
 * @param time        the command record's timestamp
 * @param commandType the command's type when the value names one (in JSON even one this ledger does not know), else null
 * @param commandId   its command id when the value names one, else null
 * @param transferId  the transfer it is a step of, when it is a readable saga command, else null
 * @param followUp    true when it is a readable command the saga sends itself (a step after InitiateTransfer)
 * @param excerpt     the start of the value as printable text (control characters escaped); a binary
 *                    command shown decoded
 */
public record DeadLetter(int partition, long offset, String source, String key, String reason, Instant time,
                         String commandType, String commandId, String transferId, boolean followUp, String excerpt) {
    public static final String REASON_HEADER = "ledger-dead-letter-reason";
    public static final String SOURCE_HEADER = "ledger-dead-letter-source";
    /** Characters of the value an excerpt shows. */
    public static final int EXCERPT_CHARS = 160;

    public static DeadLetter of(ConsumerRecord<String, byte[]> record) {
        byte[] value = record.value() == null ? new byte[0] : record.value();
        String commandType = null;
        String commandId = null;
        String transferId = null;
        boolean followUp = false;
        CommandEnvelope envelope = readableOrNull(value);
        if (envelope != null) {
            commandType = envelope.type();
            commandId = envelope.commandId();
            transferId = SagaSteps.transferIdOf(envelope.command());
            followUp = SagaSteps.isFollowUp(envelope.command());
        } else if (CommandRecords.isBinary(value)) {
            Wire.CommandEnvelope wire = CommandRecords.wireEnvelopeOrNull(value);
            if (wire != null) {
                commandType = CommandProto.typeName(wire);
                commandId = wire.hasCommandId() ? wire.getCommandId() : null;
            }
        } else {
            JsonNode tree = jsonOrNull(value);
            if (tree != null) {
                commandType = textOrNull(tree.get("type"));
                commandId = textOrNull(tree.get("commandId"));
            }
        }
        return new DeadLetter(record.partition(), record.offset(), header(record.headers(), SOURCE_HEADER),
                record.key(), header(record.headers(), REASON_HEADER), Instant.ofEpochMilli(record.timestamp()),
                commandType, commandId, transferId, followUp, excerpt(printable(value)));
    }

    /** A dead letter holds one command, in the format of the record it was read from: that command when it reads. */
    private static CommandEnvelope readableOrNull(byte[] value) {
        List<CommandRecords.Item> items = CommandRecords.read(value);
        return items.size() == 1 && items.getFirst() instanceof CommandRecords.Readable r ? r.envelope() : null;
    }

    /**
     * What a person reads of the value: a binary command as the JSON envelope it decodes to, or as
     * Protocol Buffers text when the ledger refuses what it holds; any other value as it is.
     */
    private static byte[] printable(byte[] value) {
        if (!CommandRecords.isBinary(value)) return value;
        CommandEnvelope envelope = readableOrNull(value);
        if (envelope != null) return LedgerJson.writeCommand(envelope);
        Wire.CommandEnvelope wire = CommandRecords.wireEnvelopeOrNull(value);
        return wire == null ? value
                : TextFormat.printer().emittingSingleLine(true).printToString(wire).getBytes(StandardCharsets.UTF_8);
    }

    /** The start of the bytes as UTF-8 text, with every control character written as a Java escape. */
    static String excerpt(byte[] value) {
        String text = new String(value, StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(EXCERPT_CHARS).forEach(c -> {
            if (Character.isISOControl(c) || Character.getType(c) == Character.SURROGATE
                    || Character.getType(c) == Character.UNASSIGNED) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        if (text.codePointCount(0, text.length()) > EXCERPT_CHARS) out.append('…');
        return out.toString();
    }

    private static String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static JsonNode jsonOrNull(byte[] value) {
        try {
            return LedgerJson.MAPPER.readTree(value);
        } catch (java.io.IOException | RuntimeException notJson) {
            return null;
        }
    }

    private static String textOrNull(JsonNode node) {
        return node != null && node.isTextual() ? node.asText() : null;
    }
}
