package dev.ledger.kafka;

import dev.ledger.domain.LedgerCommand;
import dev.ledger.domain.SagaSteps;
import dev.ledger.domain.LedgerEvent;
import dev.ledger.domain.Money;
import dev.ledger.domain.Outcome;
import dev.ledger.domain.Outcome.Status;
import dev.ledger.domain.Reason;
import dev.ledger.domain.account.AccountCommand.CaptureReservation;
import dev.ledger.domain.account.AccountCommand.CloseAccount;
import dev.ledger.domain.account.AccountCommand.CreditAccount;
import dev.ledger.domain.account.AccountCommand.OpenAccount;
import dev.ledger.domain.account.AccountCommand.ReleaseReservation;
import dev.ledger.domain.account.AccountCommand.ReserveFunds;
import dev.ledger.domain.account.AccountEvent.AccountClosed;
import dev.ledger.domain.account.AccountEvent.AccountCredited;
import dev.ledger.domain.account.AccountEvent.AccountDebited;
import dev.ledger.domain.account.AccountEvent.AccountOpened;
import dev.ledger.domain.account.AccountEvent.FundsReserved;
import dev.ledger.domain.account.AccountEvent.ReservationCaptured;
import dev.ledger.domain.account.AccountEvent.ReservationReleased;
import dev.ledger.domain.transfer.TransferCommand.CompleteTransfer;
import dev.ledger.domain.transfer.TransferCommand.InitiateTransfer;
import dev.ledger.domain.transfer.TransferCommand.RejectTransfer;
import dev.ledger.domain.transfer.TransferEvent;
import dev.ledger.domain.transfer.TransferEvent.TransferCompleted;
import dev.ledger.domain.transfer.TransferEvent.TransferInitiated;
import dev.ledger.domain.transfer.TransferEvent.TransferRejected;
import dev.ledger.domain.transfer.TransferRequest;

import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Map;

/**
 * At least one instance of every event and command type, in envelopes. The first sample of a type
 * is the one frozen as its golden file, so keep it as it is: add new samples after it.
 */
final class Samples {

    static final Currency EUR = Currency.getInstance("EUR");
    static final Currency JPY = Currency.getInstance("JPY");
    private static final Instant AT = Instant.parse("2026-11-22T10:00:00Z");
    private static final Instant AT_WITH_NANOS = Instant.parse("2026-11-22T10:00:00.123456789Z");

    private Samples() {
    }

    static final List<EventEnvelope> EVENTS = List.of(
            event(1, new AccountOpened("alice", EUR, 5000, false, Map.of("segment", "retail", "customer", "c-17"))),
            event(1, new AccountOpened("bank-eur", EUR, 0, true, Map.of())),
            event(3, new FundsReserved("alice", "t-0001", 2500, "bob")),
            event(5, new AccountCredited("bob", "t-0001", 2500, "alice")),
            event(4, new ReservationCaptured("alice", "t-0001", 2500, "bob")),
            event(7, new AccountDebited("alice", "t-0005", 1200, "bob")),
            event(6, new ReservationReleased("alice", "t-0002", Money.MAX_AMOUNT, Reason.ACCOUNT_CLOSED)),
            event(9, new AccountClosed("alice")),
            event(1, new TransferInitiated("t-0001", "alice", "bob", 2500, EUR, "invoice 42", Map.of("order", "o-9"))),
            event(1, new TransferInitiated("t-0004", "bank-jpy", "carol", 1, JPY, null, Map.of())),
            event(2, new TransferCompleted("t-0001", 4, 5)),
            event(2, new TransferRejected("t-0002", Reason.ACCOUNT_CLOSED, Map.of("alice", 6L))),
            event(2, new TransferRejected("t-0003", Reason.INSUFFICIENT_FUNDS, Map.of())));

    static final List<CommandEnvelope> COMMANDS = List.of(
            client(new OpenAccount("alice", EUR, 5000, false, Map.of("segment", "retail", "customer", "c-17"))),
            client(new OpenAccount("bank-eur", EUR, 0, true, Map.of())),
            client(new CloseAccount("alice")),
            client(new InitiateTransfer(
                    new TransferRequest("t-0001", "alice", "bob", 2500, EUR, "invoice 42", Map.of("order", "o-9")))),
            client(new InitiateTransfer(
                    new TransferRequest("t-0004", "bank-jpy", "carol", Money.MAX_AMOUNT, JPY, null, Map.of()))),
            sagaHop(new ReserveFunds("alice", "t-0001", 2500, EUR, "bob")),
            sagaHop(new CreditAccount("bob", "t-0001", 2500, EUR, "alice", 3)),
            sagaHop(new CaptureReservation("alice", "t-0001", "bob", 5)),
            sagaHop(new ReleaseReservation("alice", "t-0002", Reason.ACCOUNT_CLOSED)),
            sagaHop(new CompleteTransfer("t-0001", 4, 5)),
            sagaHop(new RejectTransfer("t-0002", Reason.ACCOUNT_CLOSED, Map.of("alice", 6L))),
            sagaHop(new RejectTransfer("t-0003", Reason.INSUFFICIENT_FUNDS, Map.of())));

    static final List<CommandResult> RESULTS = List.of(
            new CommandResult("alice", "cmd-1", Outcome.of(Status.OPENED, Map.of("alice", 1L))),
            new CommandResult("alice", "cmd-2", Outcome.of(Status.OPENED, Map.of("alice", 1L)).asReplay()),
            new CommandResult("alice", "cmd-3", Outcome.conflict()),
            new CommandResult("alice", "cmd-4", Outcome.refused(Reason.FUNDS_PENDING)),
            new CommandResult("alice", "cmd-5", Outcome.of(Status.NOT_FOUND, Map.of())),
            new CommandResult("alice", "cmd-6", Outcome.of(Status.CLOSED, Map.of("alice", 9L))),
            new CommandResult("t-0001", "t-0001/CompleteTransfer",
                    Outcome.of(Status.COMPLETED, Map.of("bob", 5L, "alice", 4L))),
            new CommandResult("t-0002", "t-0002/RejectTransfer",
                    Outcome.rejected(Reason.ACCOUNT_CLOSED, Map.of("alice", 6L))),
            new CommandResult("t-0003", "cmd-7", new Outcome(Status.IN_FLIGHT, null, Map.of(), true)));

    /** The first sample of each type: the one its golden file was written from. */
    static EventEnvelope firstEvent(String type) {
        return EVENTS.stream().filter(e -> e.type().equals(type)).findFirst().orElseThrow();
    }

    static CommandEnvelope firstCommand(String type) {
        return COMMANDS.stream().filter(c -> c.type().equals(type)).findFirst().orElseThrow();
    }

    private static EventEnvelope event(long seq, LedgerEvent event) {
        String type = LedgerJson.typeName(event);
        String commandId = event.aggregateId() + "/command-" + seq;
        return new EventEnvelope(event.aggregateId() + "/" + seq, type, LedgerJson.SCHEMA_VERSION, event.aggregateId(), seq,
                seq % 2 == 0 ? AT_WITH_NANOS : AT, commandId, correlationOf(event), commandId, event);
    }

    private static String correlationOf(LedgerEvent event) {
        return switch (event) {
            case TransferEvent e -> e.transferId();
            case FundsReserved e -> e.transferId();
            case AccountCredited e -> e.transferId();
            case AccountDebited e -> e.transferId();
            case ReservationCaptured e -> e.transferId();
            case ReservationReleased e -> e.transferId();
            default -> event.aggregateId();
        };
    }

    private static CommandEnvelope client(LedgerCommand command) {
        return CommandEnvelope.fromClient("8f14e45f-ceea-467f-a0e6-7c3c0b6bc1a2", AT, command);
    }

    /** Saga hops are named by transfer and step, so each is deduplicated by its id. */
    private static CommandEnvelope sagaHop(LedgerCommand command) {
        String type = LedgerJson.typeName(command);
        String transferId = SagaSteps.transferIdOf(command);
        if (transferId == null) throw new IllegalArgumentException("not a saga hop: " + command);
        return new CommandEnvelope(transferId + "/" + type, type, AT_WITH_NANOS, transferId, transferId + "/previous-event",
                command);
    }
}
