package dev.ledger.command;

import dev.ledger.domain.LedgerCommand;
import dev.ledger.domain.SagaSteps;

/**
 * The commands the saga sends itself. Each has exactly one id per transfer,
 * {@code <transferId>/<type>}, by which a repeated hop is recognised and skipped.
 */
final class SagaHops {
    private SagaHops() {
    }

    static boolean isHop(LedgerCommand command) {
        return SagaSteps.isFollowUp(command);
    }

    static String transferId(LedgerCommand command) {
        String id = SagaSteps.transferIdOf(command);
        if (id == null) throw new IllegalArgumentException(command + " is not a saga hop");
        return id;
    }
}
