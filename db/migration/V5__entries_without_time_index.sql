-- entries_account_time (account_id, occurred_at, account_seq) served no query: the as-of balance
-- (the last entry at or before an instant, by account_seq) is planned as a backward scan of the unique
-- (account_id, account_seq) index whether this one exists or not, and the statement pages by account_seq
-- too. Each index costs every entry insert, the projection's most frequent row (BENCHMARKS.md, "The
-- projection's write path").
DROP INDEX IF EXISTS entries_account_time;
