package dev.ledger.kafka;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ledger.domain.LedgerEvent;
import dev.ledger.domain.account.AccountEvent.AccountClosed;
import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.domain.account.AccountEvent.AccountDebited;
import dev.ledger.domain.account.AccountEvent.AccountOpened;
import dev.ledger.domain.account.AccountEvent.FundsReserved;
import dev.ledger.domain.account.AccountEvent.ReservationCaptured;
import dev.ledger.domain.account.AccountEvent.ReservationReleased;
import dev.ledger.domain.transfer.TransferEvent.TransferCompleted;
import dev.ledger.domain.transfer.TransferEvent.TransferInitiated;
import dev.ledger.domain.transfer.TransferEvent.TransferRejected;
import dev.ledger.kafka.proto.Wire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

import static dev.ledger.kafka.ProtoFields.currency;
import static dev.ledger.kafka.ProtoFields.requirePresent;

/**
 * The Protocol Buffers form of an event envelope ({@code schemas/proto/ledger_records.proto}), as
 * {@link LedgerJson} is its JSON form. Ids that are canonical UUIDs take their 16 bytes, and the fields
 * {@link EventDefaults} rebuilds are left out when they hold its value, so that an event of a transfer
 * is about a fifth of its JSON. The reader refuses what the JSON reader refuses: a missing required
 * field, an unknown event type, currency or reason, a seq below 1, a schema version it does not know.
 */
final class EventProto {
    private static final int UUID_BYTES = CanonicalUuid.BYTES;

    private EventProto() {
    }

    /**
     * One envelope's bytes, after its length: a message cut at a field boundary would still parse, as
     * an envelope without its last fields (several of which {@link EventDefaults} would fill in), so the
     * length makes every cut or padded event unreadable. Maps are written in key order, so equal
     * envelopes give equal bytes.
     */
    static byte[] write(EventEnvelope e) {
        byte[] message = message(e).toByteArray();
        byte[] delimited = new byte[CodedOutputStream.computeUInt32SizeNoTag(message.length) + message.length];
        CodedOutputStream out = CodedOutputStream.newInstance(delimited);
        try {
            out.writeUInt32NoTag(message.length);
            out.writeRawBytes(message);
            out.checkNoSpaceLeft();
        } catch (IOException cannotHappen) {
            throw new IllegalStateException("an array of the computed size", cannotHappen);
        }
        return delimited;
    }

    private static Wire.EventEnvelope message(EventEnvelope e) {
        LedgerEvent event = e.event();
        if (!e.type().equals(LedgerJson.typeName(event))) {
            throw new IllegalArgumentException("envelope type " + e.type() + " holds a " + LedgerJson.typeName(event));
        }
        var wire = Wire.EventEnvelope.newBuilder();
        data(event, wire);
        id(e.eventId(), wire::setEventUuid, wire::setEventIdText);
        wire.setSeq(e.seq());
        occurredAt(e.occurredAt(), wire);
        if (!e.commandId().equals(EventDefaults.commandId(event))) {
            id(e.commandId(), wire::setCommandUuid, wire::setCommandIdText);
        }
        if (!e.causationId().equals(EventDefaults.causationId(e.commandId()))) {
            id(e.causationId(), wire::setCausationUuid, wire::setCausationIdText);
        }
        if (!e.correlationId().equals(EventDefaults.correlationId(event))) wire.setCorrelationId(e.correlationId());
        if (!e.aggregateId().equals(EventDefaults.aggregateId(event))) wire.setAggregateId(e.aggregateId());
        if (e.schemaVersion() != EventDefaults.SCHEMA_VERSION) wire.setSchemaVersion(e.schemaVersion());
        return wire.build();
    }

    /** @throws LedgerJson.UnreadableException when the bytes are not an event this ledger knows */
    static EventEnvelope read(byte[] delimited) {
        Wire.EventEnvelope wire;
        try {
            CodedInputStream in = CodedInputStream.newInstance(delimited);
            int length = in.readUInt32();
            int rest = delimited.length - in.getTotalBytesRead();
            if (length != rest) {
                throw ProtoFields.unreadable("an event envelope that says it has " + Integer.toUnsignedString(length)
                        + " bytes where " + rest + " follow: cut or padded");
            }
            wire = Wire.EventEnvelope.parser().parseFrom(delimited, in.getTotalBytesRead(), length);
        } catch (InvalidProtocolBufferException e) {
            throw ProtoFields.malformed("event envelope", e);
        } catch (IOException e) {
            throw new LedgerJson.UnreadableException("malformed event envelope: " + e.getMessage(), e);
        }
        try {
            return read(wire);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new LedgerJson.UnreadableException("invalid event envelope: " + e.getMessage(), e);
        }
    }

    /** The event id of an envelope that may be unreadable otherwise, or null; throws on bytes that are no envelope. */
    static String eventIdIn(byte[] delimited) throws IOException {
        Wire.EventEnvelope wire = Wire.EventEnvelope.parseDelimitedFrom(new java.io.ByteArrayInputStream(delimited));
        return switch (wire.getEventIdCase()) {
            case EVENT_UUID -> uuid(wire.getEventUuid(), "eventId");
            case EVENT_ID_TEXT -> wire.getEventIdText();
            case EVENTID_NOT_SET -> null;
        };
    }

    private static EventEnvelope read(Wire.EventEnvelope wire) {
        LedgerEvent event = data(wire);
        String type = LedgerJson.typeName(event);
        int version = wire.hasSchemaVersion() ? wire.getSchemaVersion() : EventDefaults.SCHEMA_VERSION;
        Upcaster.requireKnownVersion(type, version);
        if (!wire.hasSeq() || wire.getSeq() < 1) throw ProtoFields.unreadable("missing or invalid 'seq'");
        String eventId = switch (wire.getEventIdCase()) {
            case EVENT_UUID -> uuid(wire.getEventUuid(), "eventId");
            case EVENT_ID_TEXT -> wire.getEventIdText();
            case EVENTID_NOT_SET -> throw missing("eventId");
        };
        Instant occurredAt = switch (wire.getOccurredAtCase()) {
            case OCCURRED_AT_MS -> Instant.ofEpochMilli(wire.getOccurredAtMs());
            case OCCURRED_AT_TIME -> ProtoFields.instant(wire.getOccurredAtTime(), "occurredAt");
            case OCCURREDAT_NOT_SET -> throw missing("occurredAt");
        };
        String commandId = switch (wire.getCommandIdCase()) {
            case COMMAND_UUID -> uuid(wire.getCommandUuid(), "commandId");
            case COMMAND_ID_TEXT -> wire.getCommandIdText();
            case COMMANDID_NOT_SET -> {
                String derived = EventDefaults.commandId(event);
                if (derived == null) throw missing("commandId");
                yield derived;
            }
        };
        String causationId = switch (wire.getCausationIdCase()) {
            case CAUSATION_UUID -> uuid(wire.getCausationUuid(), "causationId");
            case CAUSATION_ID_TEXT -> wire.getCausationIdText();
            case CAUSATIONID_NOT_SET -> EventDefaults.causationId(commandId);
        };
        String correlationId = wire.hasCorrelationId() ? wire.getCorrelationId() : EventDefaults.correlationId(event);
        String aggregateId = wire.hasAggregateId() ? wire.getAggregateId() : EventDefaults.aggregateId(event);
        return new EventEnvelope(eventId, type, version, aggregateId, wire.getSeq(), occurredAt, commandId,
                correlationId, causationId, event);
    }

    private static void data(LedgerEvent event, Wire.EventEnvelope.Builder wire) {
        switch (event) {
            case AccountOpened e -> wire.setAccountOpened(Wire.AccountOpened.newBuilder().setAccountId(e.accountId())
                    .setCurrency(e.currency().getCurrencyCode()).setOverdraftLimit(e.overdraftLimit())
                    .setUnlimitedOverdraft(e.unlimitedOverdraft()).putAllMetadata(sorted(e.metadata())));
            case AccountClosed e -> wire.setAccountClosed(Wire.AccountClosed.newBuilder().setAccountId(e.accountId()));
            case FundsReserved e -> wire.setFundsReserved(Wire.FundsReserved.newBuilder().setAccountId(e.accountId())
                    .setTransferId(e.transferId()).setAmount(e.amount()).setCreditAccountId(e.creditAccountId()));
            case AccountCredited e -> wire.setAccountCredited(Wire.AccountCredited.newBuilder().setAccountId(e.accountId())
                    .setTransferId(e.transferId()).setAmount(e.amount()).setDebitAccountId(e.debitAccountId()));
            case AccountDebited e -> wire.setAccountDebited(Wire.AccountDebited.newBuilder().setAccountId(e.accountId())
                    .setTransferId(e.transferId()).setAmount(e.amount()).setCreditAccountId(e.creditAccountId()));
            case ReservationCaptured e -> wire.setReservationCaptured(Wire.ReservationCaptured.newBuilder()
                    .setAccountId(e.accountId()).setTransferId(e.transferId()).setAmount(e.amount())
                    .setCreditAccountId(e.creditAccountId()));
            case ReservationReleased e -> wire.setReservationReleased(Wire.ReservationReleased.newBuilder()
                    .setAccountId(e.accountId()).setTransferId(e.transferId()).setAmount(e.amount())
                    .setReason(CommandProto.reason(e.reason())));
            case TransferInitiated e -> {
                var data = Wire.TransferInitiated.newBuilder().setTransferId(e.transferId())
                        .setDebitAccountId(e.debitAccountId()).setCreditAccountId(e.creditAccountId())
                        .setAmount(e.amount()).setCurrency(e.currency().getCurrencyCode())
                        .putAllMetadata(sorted(e.metadata()));
                if (e.reference() != null) data.setReference(e.reference());
                wire.setTransferInitiated(data);
            }
            case TransferCompleted e -> wire.setTransferCompleted(Wire.TransferCompleted.newBuilder()
                    .setTransferId(e.transferId()).setDebitAccountSeq(e.debitAccountSeq())
                    .setCreditAccountSeq(e.creditAccountSeq()));
            case TransferRejected e -> wire.setTransferRejected(Wire.TransferRejected.newBuilder()
                    .setTransferId(e.transferId()).setReason(CommandProto.reason(e.reason()))
                    .putAllAccountsTouched(sorted(e.accountsTouched())));
            default -> throw new IllegalArgumentException("no binary form for " + event.getClass().getName());
        }
    }

    private static LedgerEvent data(Wire.EventEnvelope wire) {
        return switch (wire.getEventCase()) {
            case ACCOUNT_OPENED -> {
                var e = present(wire.getAccountOpened(), AccountOpened.class);
                yield new AccountOpened(e.getAccountId(), currency(e.getCurrency()), e.getOverdraftLimit(),
                        e.getUnlimitedOverdraft(), e.getMetadataMap());
            }
            case ACCOUNT_CLOSED -> new AccountClosed(present(wire.getAccountClosed(), AccountClosed.class).getAccountId());
            case FUNDS_RESERVED -> {
                var e = present(wire.getFundsReserved(), FundsReserved.class);
                yield new FundsReserved(e.getAccountId(), e.getTransferId(), e.getAmount(), e.getCreditAccountId());
            }
            case ACCOUNT_CREDITED -> {
                var e = present(wire.getAccountCredited(), AccountCredited.class);
                yield new AccountCredited(e.getAccountId(), e.getTransferId(), e.getAmount(), e.getDebitAccountId());
            }
            case ACCOUNT_DEBITED -> {
                var e = present(wire.getAccountDebited(), AccountDebited.class);
                yield new AccountDebited(e.getAccountId(), e.getTransferId(), e.getAmount(), e.getCreditAccountId());
            }
            case RESERVATION_CAPTURED -> {
                var e = present(wire.getReservationCaptured(), ReservationCaptured.class);
                yield new ReservationCaptured(e.getAccountId(), e.getTransferId(), e.getAmount(), e.getCreditAccountId());
            }
            case RESERVATION_RELEASED -> {
                var e = present(wire.getReservationReleased(), ReservationReleased.class);
                yield new ReservationReleased(e.getAccountId(), e.getTransferId(), e.getAmount(),
                        CommandProto.reason(e.getReason()));
            }
            case TRANSFER_INITIATED -> {
                var e = present(wire.getTransferInitiated(), TransferInitiated.class);
                yield new TransferInitiated(e.getTransferId(), e.getDebitAccountId(), e.getCreditAccountId(),
                        e.getAmount(), currency(e.getCurrency()), e.hasReference() ? e.getReference() : null,
                        e.getMetadataMap());
            }
            case TRANSFER_COMPLETED -> {
                var e = present(wire.getTransferCompleted(), TransferCompleted.class);
                yield new TransferCompleted(e.getTransferId(), e.getDebitAccountSeq(), e.getCreditAccountSeq());
            }
            case TRANSFER_REJECTED -> {
                var e = present(wire.getTransferRejected(), TransferRejected.class);
                yield new TransferRejected(e.getTransferId(), CommandProto.reason(e.getReason()),
                        e.getAccountsTouchedMap());
            }
            case EVENT_NOT_SET -> throw ProtoFields.unreadable(wire.getUnknownFields().asMap().isEmpty()
                    ? "an event envelope without an event"
                    : "unknown event type (field " + wire.getUnknownFields().asMap().keySet() + " of the envelope)");
        };
    }

    private static void occurredAt(Instant at, Wire.EventEnvelope.Builder wire) {
        if (at.getNano() % 1_000_000 == 0) {
            try {
                wire.setOccurredAtMs(at.toEpochMilli());
                return;
            } catch (ArithmeticException beyondMillis) {
                // an instant too far from 1970 for milliseconds in a long: written as a Timestamp below
            }
        }
        wire.setOccurredAtTime(ProtoFields.timestamp(at));
    }

    /** A canonical UUID as its 16 bytes, any other id as its text. */
    private static void id(String id, Consumer<ByteString> asUuid, Consumer<String> asText) {
        byte[] uuid = CanonicalUuid.bytesOf(id);
        if (uuid != null) asUuid.accept(ByteString.copyFrom(uuid));
        else asText.accept(id);
    }

    private static String uuid(ByteString bytes, String field) {
        if (bytes.size() != UUID_BYTES) {
            throw ProtoFields.unreadable("'" + field + "' as a UUID of " + bytes.size() + " bytes, not " + UUID_BYTES);
        }
        ByteBuffer buffer = bytes.asReadOnlyByteBuffer();
        return new UUID(buffer.getLong(), buffer.getLong()).toString();
    }

    private static LedgerJson.UnreadableException missing(String field) {
        return ProtoFields.unreadable("EventEnvelope lacks required field '" + field + "'");
    }

    private static <M extends com.google.protobuf.Message> M present(M message, Class<?> recordType) {
        requirePresent(message, recordType);
        return message;
    }

    private static <V> Map<String, V> sorted(Map<String, V> map) {
        return new TreeMap<>(map);
    }
}
