package dev.ledger.domain;

import dev.ledger.domain.account.AccountCommand.CaptureReservation;
import dev.ledger.domain.account.AccountCommand.CloseAccount;
import dev.ledger.domain.account.AccountCommand.CreditAccount;
import dev.ledger.domain.account.AccountCommand.OpenAccount;
import dev.ledger.domain.account.AccountCommand.ReleaseReservation;
import dev.ledger.domain.account.AccountCommand.ReserveFunds;
import dev.ledger.domain.account.AccountCommand;
import dev.ledger.domain.account.AccountDecider;
import dev.ledger.domain.account.AccountEvent;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.transfer.TransferCommand;
import dev.ledger.domain.transfer.TransferDecider;
import dev.ledger.domain.transfer.TransferEvent;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.domain.transfer.TransferCommand.CompleteTransfer;
import dev.ledger.domain.transfer.TransferCommand.InitiateTransfer;
import dev.ledger.domain.transfer.TransferCommand.RejectTransfer;
import dev.ledger.domain.transfer.TransferRequest;
import dev.ledger.domain.transfer.TransferSettlement;
import org.junit.jupiter.api.Test;

import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SagaStepsTest {
    private static final Currency EUR = Currency.getInstance("EUR");

    @Test
    void every_step_of_a_transfer_names_it_and_every_one_after_the_clients_is_a_follow_up() {
        List<LedgerCommand> followUps = List.of(
                new ReserveFunds("bank", "t-1", 5, EUR, "alice"),
                new CreditAccount("alice", "t-1", 5, EUR, "bank", 2),
                new CaptureReservation("bank", "t-1", "alice", 2),
                new ReleaseReservation("bank", "t-1", Reason.CURRENCY_MISMATCH),
                new CompleteTransfer("t-1", 3, 2),
                new RejectTransfer("t-1", Reason.INSUFFICIENT_FUNDS, Map.of()));
        var initiate = new InitiateTransfer(new TransferRequest("t-1", "bank", "alice", 5, EUR, null, Map.of()));

        assertThat(followUps).allSatisfy(c -> {
            assertThat(SagaSteps.transferIdOf(c)).as(c.toString()).isEqualTo("t-1");
            assertThat(SagaSteps.isFollowUp(c)).as(c.toString()).isTrue();
        });
        assertThat(SagaSteps.transferIdOf(initiate)).isEqualTo("t-1");
        assertThat(SagaSteps.isFollowUp(initiate)).as("the client's own command").isFalse();
    }

    @Test
    void opening_and_closing_an_account_belong_to_no_transfer() {
        for (LedgerCommand c : List.of(new OpenAccount("a", EUR, 0, false, Map.of()), new CloseAccount("a"))) {
            assertThat(SagaSteps.transferIdOf(c)).isNull();
            assertThat(SagaSteps.isFollowUp(c)).isFalse();
        }
    }

    /** Accounts and transfers folded as the processor folds them, so that each command meets the state it would. */
    private final Map<String, AccountState> accounts = new HashMap<>();
    private final Map<String, TransferState> transfers = new HashMap<>();
    private final Set<Class<?>> eventTypes = new HashSet<>();

    @Test
    void an_event_is_written_by_a_step_exactly_when_the_command_that_decided_it_is_a_follow_up() {
        // every event type, each decided by the command that writes it: a completed transfer, a
        // refused reservation (it writes nothing), a refused credit compensated, and an account closed
        decideAll(new OpenAccount("bank", EUR, 0, true, Map.of()), new OpenAccount("alice", EUR, 0, false, Map.of()),
                new OpenAccount("bob", Currency.getInstance("USD"), 0, false, Map.of()),
                new InitiateTransfer(new TransferRequest("t-1", "bank", "alice", 5, EUR, null, Map.of())),
                new ReserveFunds("bank", "t-1", 5, EUR, "alice"),
                new CreditAccount("alice", "t-1", 5, EUR, "bank", 2),
                new CaptureReservation("bank", "t-1", "alice", 2),
                new CompleteTransfer("t-1", 3, 2),
                new InitiateTransfer(new TransferRequest("t-2", "alice", "bank", 50, EUR, null, Map.of())),
                new ReserveFunds("alice", "t-2", 50, EUR, "bank"),
                new RejectTransfer("t-2", Reason.INSUFFICIENT_FUNDS, Map.of()),
                new InitiateTransfer(new TransferRequest("t-3", "bank", "bob", 5, EUR, null, Map.of())),
                new ReserveFunds("bank", "t-3", 5, EUR, "bob"),
                new CreditAccount("bob", "t-3", 5, EUR, "bank", 4),
                new ReleaseReservation("bank", "t-3", Reason.CURRENCY_MISMATCH),
                new RejectTransfer("t-3", Reason.CURRENCY_MISMATCH, Map.of("bank", 5L)),
                new CloseAccount("bob"));
        settle(new TransferRequest("t-4", "bank", "alice", 7, EUR, null, Map.of()));
        assertThat(eventTypes).as("every event type of the ledger was decided").hasSize(
                AccountEvent.class.getPermittedSubclasses().length + TransferEvent.class.getPermittedSubclasses().length);
    }

    /**
     * A transfer settled whole: the client's command writes its initiation, and the debit, the credit and the
     * completion are written under the ids of the steps they stand for (the debit the reservation's).
     */
    private void settle(TransferRequest request) {
        var settled = TransferSettlement.decide(request, TransferDecider.INITIAL,
                accounts.get(request.debitAccountId()), accounts.get(request.creditAccountId())).orElseThrow();
        Map<LedgerEvent, Boolean> writtenByStep = Map.of(settled.initiated(), false, settled.debited(), true,
                settled.credited(), true, settled.completed(), true);
        writtenByStep.forEach((e, expected) -> {
            assertThat(SagaSteps.writtenByStep(e)).as(e.toString()).isEqualTo(expected);
            eventTypes.add(e.getClass());
        });
    }

    private void decideAll(LedgerCommand... commands) {
        for (LedgerCommand command : commands) {
            List<? extends LedgerEvent> events = switch (command) {
                case AccountCommand c -> {
                    var decided = AccountDecider.decide(c, accounts.getOrDefault(c.accountId(), AccountDecider.INITIAL));
                    for (AccountEvent e : decided.events()) {
                        accounts.merge(c.accountId(), AccountDecider.evolve(accounts.getOrDefault(c.accountId(),
                                AccountDecider.INITIAL), e), (old, next) -> next);
                    }
                    yield decided.events();
                }
                case TransferCommand c -> {
                    var decided = TransferDecider.decide(c, transfers.getOrDefault(c.transferId(), TransferDecider.INITIAL));
                    for (TransferEvent e : decided.events()) {
                        transfers.merge(c.transferId(), TransferDecider.evolve(transfers.getOrDefault(c.transferId(),
                                TransferDecider.INITIAL), e), (old, next) -> next);
                    }
                    yield decided.events();
                }
                default -> throw new IllegalArgumentException(command.toString());
            };
            for (LedgerEvent e : events) {
                assertThat(SagaSteps.writtenByStep(e)).as(e.toString()).isEqualTo(SagaSteps.isFollowUp(command));
                eventTypes.add(e.getClass());
            }
        }
    }
}
