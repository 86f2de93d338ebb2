-- Less work per entry insert, the projection's most frequent row (BENCHMARKS.md, "The read model's entries").
--
-- The foreign key to accounts goes: it fired a trigger per inserted entry that ran SELECT ... FOR KEY SHARE
-- on the account row. The projection already holds its rule: BatchFold makes an entry only for a posted
-- movement of an account row that exists or was opened in the same batch, and halts on an event of an
-- account never opened (ReadModelWriterTest).
--
-- The primary key becomes (account_id, account_seq), one line per account event, which the unique
-- constraint already enforced: nothing looks an entry up by entry_id, so its index was one more to update
-- per insert. PostgreSQL cannot turn the unique constraint's index into the primary key (ADD PRIMARY KEY
-- USING INDEX refuses an index that belongs to a constraint), so the key's index is built once here, under
-- an exclusive lock on entries for as long as that takes. entry_id stays a column: the API returns it.
--
-- A build from before this migration cannot write entries into a schema that ran it: its ON CONFLICT (entry_id)
-- names a key that is gone, PostgreSQL refuses the statement, and the partitions it writes get stuck (parked,
-- nothing lost) until it runs the new build. Replace every instance together rather than one at a time.
ALTER TABLE entries
    DROP CONSTRAINT entries_account_id_fkey,
    DROP CONSTRAINT entries_pkey,
    DROP CONSTRAINT entries_account_id_account_seq_key,
    ADD CONSTRAINT entries_pkey PRIMARY KEY (account_id, account_seq);
