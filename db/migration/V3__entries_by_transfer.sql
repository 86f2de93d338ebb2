-- Finds a transfer's posted movement on an account: a write answered once its outcome is certain
-- names the capture still on its way as movement/<accountId>/<transferId> in its Ledger-Position.
CREATE INDEX entries_account_transfer ON entries (account_id, transfer_id);
