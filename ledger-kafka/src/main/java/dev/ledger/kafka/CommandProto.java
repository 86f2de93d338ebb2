package dev.ledger.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.ledger.domain.LedgerCommand;
import dev.ledger.domain.Reason;
import dev.ledger.domain.account.AccountCommand.CaptureReservation;
import dev.ledger.domain.account.AccountCommand.CloseAccount;
import dev.ledger.domain.account.AccountCommand.CreditAccount;
import dev.ledger.domain.account.AccountCommand.OpenAccount;
import dev.ledger.domain.account.AccountCommand.ReleaseReservation;
import dev.ledger.domain.account.AccountCommand.ReserveFunds;
import dev.ledger.domain.transfer.TransferCommand.CompleteTransfer;
import dev.ledger.domain.transfer.TransferCommand.InitiateTransfer;
import dev.ledger.domain.transfer.TransferCommand.RejectTransfer;
import dev.ledger.domain.transfer.TransferRequest;
import dev.ledger.kafka.proto.Wire;

import java.util.Map;
import java.util.TreeMap;

import static dev.ledger.kafka.ProtoFields.currency;
import static dev.ledger.kafka.ProtoFields.requirePresent;
import static dev.ledger.kafka.ProtoFields.sameName;

/**
 * The Protocol Buffers form of a command envelope ({@code schemas/proto/ledger_records.proto}), as
 * {@link LedgerJson} is its JSON form. The reader refuses what the JSON reader refuses: a missing
 * required field, an unknown command type, currency or reason; the checks of what a valid command
 * holds (ids, amounts, text) stay where they are for both formats, in the command processor.
 */
final class CommandProto {
    private CommandProto() {
    }

    /** One envelope's bytes; maps are written in key order, so equal envelopes give equal bytes. */
    static byte[] write(CommandEnvelope c) {
        if (!c.type().equals(LedgerJson.typeName(c.command()))) {
            throw new IllegalArgumentException("envelope type " + c.type() + " holds a " + LedgerJson.typeName(c.command()));
        }
        var wire = Wire.CommandEnvelope.newBuilder()
                .setCommandId(c.commandId())
                .setIssuedAt(ProtoFields.timestamp(c.issuedAt()))
                .setCorrelationId(c.correlationId())
                .setCausationId(c.causationId());
        if (c.originCommandId() != null) wire.setOriginCommandId(c.originCommandId());
        switch (c.command()) {
            case OpenAccount o -> wire.setOpenAccount(Wire.OpenAccount.newBuilder().setAccountId(o.accountId())
                    .setCurrency(o.currency().getCurrencyCode()).setOverdraftLimit(o.overdraftLimit())
                    .setUnlimitedOverdraft(o.unlimitedOverdraft()).putAllMetadata(sorted(o.metadata())));
            case CloseAccount o -> wire.setCloseAccount(Wire.CloseAccount.newBuilder().setAccountId(o.accountId()));
            case ReserveFunds o -> wire.setReserveFunds(Wire.ReserveFunds.newBuilder().setAccountId(o.accountId())
                    .setTransferId(o.transferId()).setAmount(o.amount()).setCurrency(o.currency().getCurrencyCode())
                    .setCreditAccountId(o.creditAccountId()));
            case CreditAccount o -> wire.setCreditAccount(Wire.CreditAccount.newBuilder().setAccountId(o.accountId())
                    .setTransferId(o.transferId()).setAmount(o.amount()).setCurrency(o.currency().getCurrencyCode())
                    .setDebitAccountId(o.debitAccountId()).setDebitAccountSeq(o.debitAccountSeq()));
            case CaptureReservation o -> wire.setCaptureReservation(Wire.CaptureReservation.newBuilder()
                    .setAccountId(o.accountId()).setTransferId(o.transferId()).setCreditAccountId(o.creditAccountId())
                    .setCreditAccountSeq(o.creditAccountSeq()));
            case ReleaseReservation o -> wire.setReleaseReservation(Wire.ReleaseReservation.newBuilder()
                    .setAccountId(o.accountId()).setTransferId(o.transferId()).setReason(reason(o.reason())));
            case InitiateTransfer o -> wire.setInitiateTransfer(Wire.InitiateTransfer.newBuilder()
                    .setRequest(request(o.request())));
            case CompleteTransfer o -> wire.setCompleteTransfer(Wire.CompleteTransfer.newBuilder()
                    .setTransferId(o.transferId()).setDebitAccountSeq(o.debitAccountSeq())
                    .setCreditAccountSeq(o.creditAccountSeq()));
            case RejectTransfer o -> wire.setRejectTransfer(Wire.RejectTransfer.newBuilder()
                    .setTransferId(o.transferId()).setReason(reason(o.reason()))
                    .putAllAccountsTouched(sorted(o.accountsTouched())));
            default -> throw new IllegalArgumentException("no binary form for " + c.command().getClass().getName());
        }
        return wire.build().toByteArray();
    }

    /** @throws LedgerJson.UnreadableException when the bytes are not a command this ledger knows */
    static CommandEnvelope read(byte[] bytes) {
        return read(parse(bytes));
    }

    /** The envelope as the wire holds it, before any rule of the ledger is applied (a dead letter shows it). */
    static Wire.CommandEnvelope parse(byte[] bytes) {
        try {
            return Wire.CommandEnvelope.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw ProtoFields.malformed("command envelope", e);
        }
    }

    /** The type a wire envelope names, or null when it names none this build knows. */
    static String typeName(Wire.CommandEnvelope wire) {
        return switch (wire.getCommandCase()) {
            case OPEN_ACCOUNT -> OpenAccount.class.getSimpleName();
            case CLOSE_ACCOUNT -> CloseAccount.class.getSimpleName();
            case RESERVE_FUNDS -> ReserveFunds.class.getSimpleName();
            case CREDIT_ACCOUNT -> CreditAccount.class.getSimpleName();
            case CAPTURE_RESERVATION -> CaptureReservation.class.getSimpleName();
            case RELEASE_RESERVATION -> ReleaseReservation.class.getSimpleName();
            case INITIATE_TRANSFER -> InitiateTransfer.class.getSimpleName();
            case COMPLETE_TRANSFER -> CompleteTransfer.class.getSimpleName();
            case REJECT_TRANSFER -> RejectTransfer.class.getSimpleName();
            case COMMAND_NOT_SET -> null;
        };
    }

    private static CommandEnvelope read(Wire.CommandEnvelope wire) {
        requirePresent(wire, CommandEnvelope.class);
        LedgerCommand command = command(wire);
        return new CommandEnvelope(wire.getCommandId(), LedgerJson.typeName(command),
                ProtoFields.instant(wire.getIssuedAt(), "issuedAt"), wire.getCorrelationId(), wire.getCausationId(),
                command, wire.hasOriginCommandId() ? wire.getOriginCommandId() : null);
    }

    private static LedgerCommand command(Wire.CommandEnvelope wire) {
        return switch (wire.getCommandCase()) {
            case OPEN_ACCOUNT -> {
                var c = present(wire.getOpenAccount(), OpenAccount.class);
                yield new OpenAccount(c.getAccountId(), currency(c.getCurrency()), c.getOverdraftLimit(),
                        c.getUnlimitedOverdraft(), c.getMetadataMap());
            }
            case CLOSE_ACCOUNT -> new CloseAccount(present(wire.getCloseAccount(), CloseAccount.class).getAccountId());
            case RESERVE_FUNDS -> {
                var c = present(wire.getReserveFunds(), ReserveFunds.class);
                yield new ReserveFunds(c.getAccountId(), c.getTransferId(), c.getAmount(), currency(c.getCurrency()),
                        c.getCreditAccountId());
            }
            case CREDIT_ACCOUNT -> {
                var c = present(wire.getCreditAccount(), CreditAccount.class);
                yield new CreditAccount(c.getAccountId(), c.getTransferId(), c.getAmount(), currency(c.getCurrency()),
                        c.getDebitAccountId(), c.getDebitAccountSeq());
            }
            case CAPTURE_RESERVATION -> {
                var c = present(wire.getCaptureReservation(), CaptureReservation.class);
                yield new CaptureReservation(c.getAccountId(), c.getTransferId(), c.getCreditAccountId(),
                        c.getCreditAccountSeq());
            }
            case RELEASE_RESERVATION -> {
                var c = present(wire.getReleaseReservation(), ReleaseReservation.class);
                yield new ReleaseReservation(c.getAccountId(), c.getTransferId(), reason(c.getReason()));
            }
            case INITIATE_TRANSFER -> new InitiateTransfer(
                    request(present(wire.getInitiateTransfer(), InitiateTransfer.class).getRequest()));
            case COMPLETE_TRANSFER -> {
                var c = present(wire.getCompleteTransfer(), CompleteTransfer.class);
                yield new CompleteTransfer(c.getTransferId(), c.getDebitAccountSeq(), c.getCreditAccountSeq());
            }
            case REJECT_TRANSFER -> {
                var c = present(wire.getRejectTransfer(), RejectTransfer.class);
                yield new RejectTransfer(c.getTransferId(), reason(c.getReason()), c.getAccountsTouchedMap());
            }
            case COMMAND_NOT_SET -> throw ProtoFields.unreadable(wire.getUnknownFields().asMap().isEmpty()
                    ? "a command envelope without a command"
                    : "unknown command type (field " + wire.getUnknownFields().asMap().keySet() + " of the envelope)");
        };
    }

    private static <M extends com.google.protobuf.Message> M present(M message, Class<?> recordType) {
        requirePresent(message, recordType);
        return message;
    }

    private static Wire.TransferRequest.Builder request(TransferRequest r) {
        var wire = Wire.TransferRequest.newBuilder().setTransferId(r.transferId()).setDebitAccountId(r.debitAccountId())
                .setCreditAccountId(r.creditAccountId()).setAmount(r.amount())
                .setCurrency(r.currency().getCurrencyCode()).putAllMetadata(sorted(r.metadata()));
        if (r.reference() != null) wire.setReference(r.reference());
        return wire;
    }

    private static TransferRequest request(Wire.TransferRequest r) {
        requirePresent(r, TransferRequest.class);
        return new TransferRequest(r.getTransferId(), r.getDebitAccountId(), r.getCreditAccountId(), r.getAmount(),
                currency(r.getCurrency()), r.hasReference() ? r.getReference() : null, r.getMetadataMap());
    }

    static Wire.Reason reason(Reason reason) {
        return Wire.Reason.valueOf(reason.name());
    }

    static Reason reason(Wire.Reason wire) {
        return sameName(Reason.class, wire, "reason");
    }

    private static <V> Map<String, V> sorted(Map<String, V> map) {
        return new TreeMap<>(map);
    }
}
