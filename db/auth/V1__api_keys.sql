-- API keys, in a schema of their own: `ledger rebuild-projections` replaces the read model's schema,
-- and the keys must survive it. Only the SHA-256 of each secret is kept.

CREATE TABLE api_keys (
    key_id        text        PRIMARY KEY,
    name          text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('admin', 'payments', 'read')),
    tenant        text,                           -- an id prefix the key is confined to; null: none
    secret_sha256 text        NOT NULL UNIQUE,    -- hex
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz                     -- set once; a revoked key never comes back
);
