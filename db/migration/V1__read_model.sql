-- The read model: built only by the projection from ledger.events, read only by the API.
-- Unqualified names: Flyway runs these in the read model's schema (read_model by default), so a
-- rebuild can replay into a fresh schema and swap it in.

CREATE TABLE accounts (
    account_id          text        PRIMARY KEY,
    currency            char(3)     NOT NULL,
    status              text        NOT NULL CHECK (status IN ('OPEN', 'CLOSED')),
    overdraft_limit     bigint      NOT NULL CHECK (overdraft_limit >= 0),
    unlimited_overdraft boolean     NOT NULL,
    metadata            jsonb       NOT NULL DEFAULT '{}',
    debits_pending      bigint      NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
    debits_posted       bigint      NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
    credits_pending     bigint      NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
    credits_posted      bigint      NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
    -- the last account event projected: guards redelivery and answers Ledger-Min-Position
    seq                 bigint      NOT NULL CHECK (seq >= 1),
    opened_at           timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);

-- The statement: one line per posted movement (credit, or captured debit), keyed by event id.
CREATE TABLE entries (
    entry_id      text        PRIMARY KEY,
    account_id    text        NOT NULL REFERENCES accounts (account_id),
    account_seq   bigint      NOT NULL,
    transfer_id   text        NOT NULL,
    amount        bigint      NOT NULL CHECK (amount <> 0), -- signed: + credit, - debit
    balance_after bigint      NOT NULL,
    occurred_at   timestamptz NOT NULL,
    UNIQUE (account_id, account_seq)
);
CREATE INDEX entries_account_time ON entries (account_id, occurred_at, account_seq);

CREATE TABLE transfers (
    transfer_id       text        PRIMARY KEY,
    debit_account_id  text        NOT NULL,
    credit_account_id text        NOT NULL,
    amount            bigint      NOT NULL CHECK (amount > 0),
    currency          char(3)     NOT NULL,
    reference         text,
    metadata          jsonb       NOT NULL DEFAULT '{}',
    status            text        NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'REJECTED')),
    reason            text,
    created_at        timestamptz NOT NULL,
    completed_at      timestamptz,
    seq               bigint      NOT NULL CHECK (seq >= 1)
);
