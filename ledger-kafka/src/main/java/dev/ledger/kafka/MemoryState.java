package dev.ledger.kafka;

import dev.ledger.domain.account.AccountDecider;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.transfer.TransferDecider;
import dev.ledger.domain.transfer.TransferState;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The engine's aggregates in plain maps, with no store and no limit: for a writer that decides a
 * whole history in one process (the audit's history generator) and for tests.
 */
public final class MemoryState implements CommandEngine.State {
    private static final Aggregate<AccountState> ABSENT_ACCOUNT = Aggregate.absent(AccountDecider.INITIAL);
    private static final Aggregate<TransferState> ABSENT_TRANSFER = Aggregate.absent(TransferDecider.INITIAL);

    private final Map<String, Aggregate<AccountState>> accounts = new HashMap<>();
    private final Map<String, Aggregate<TransferState>> transfers = new HashMap<>();
    private final Set<String> appliedSteps = new HashSet<>();

    @Override
    public Aggregate<AccountState> account(String accountId) {
        return accounts.getOrDefault(accountId, ABSENT_ACCOUNT);
    }

    @Override
    public void account(String accountId, Aggregate<AccountState> account) {
        accounts.put(accountId, account);
    }

    @Override
    public Aggregate<TransferState> transfer(String transferId) {
        return transfers.getOrDefault(transferId, ABSENT_TRANSFER);
    }

    @Override
    public void transfer(String transferId, Aggregate<TransferState> transfer) {
        transfers.put(transferId, transfer);
    }

    @Override
    public boolean stepApplied(String stepId) {
        return appliedSteps.contains(stepId);
    }

    @Override
    public void stepApplied(String stepId, boolean wroteEvents, long nowMs) {
        appliedSteps.add(stepId);
    }
}
