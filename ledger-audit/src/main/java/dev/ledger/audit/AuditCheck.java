package dev.ledger.audit;

/** The checks an audit runs over the event log, each with what it proves. */
public enum AuditCheck {
    READABLE("every event is readable: a JSON envelope of a known type and version with every required field"),
    ENVELOPE("every record is keyed by its event's aggregate, and each aggregate's events stay on one partition"),
    HASH_CHAIN("the HMAC-SHA256 hash chain of every aggregate verifies with the ledger key"),
    SEQUENCE("every aggregate's sequence numbers run 1, 2, 3, ... without gap, repetition or reordering"),
    DOMAIN("every event applies to its aggregate's state through the domain's evolve functions"),
    INVARIANT("per currency: sum(creditsPosted) - sum(debitsPosted) = sum(amount credited but not yet captured)"),
    SAGA("every reservation is captured or released, or its transfer is in flight; every completed transfer has "
            + "its credit and its capture (or its debit, when settled whole); a rejected transfer moved no money"),
    TRANSFERS("every transfer an account mentions was initiated, and each transfer is final or in flight"),
    DEAD_LETTERS("no transfer in flight waits on a saga step the processor dead-lettered: that step will never run, "
            + "so what the transfer holds stays held"),
    LIMITS("no account ever had debits (posted and held) beyond its credits plus its overdraft limit"),
    RECONCILIATION("the PostgreSQL read model holds exactly the replayed balances and transfers");

    private final String description;

    AuditCheck(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
