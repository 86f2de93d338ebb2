package dev.ledger.domain;

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
import org.junit.jupiter.api.Test;

import java.util.Currency;
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
}
