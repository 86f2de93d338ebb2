-- Every id column compares byte by byte (COLLATE "C") instead of through the database's collation.
--
-- An id is an opaque key of ASCII letters, digits, '.', '_', ':' and '-' (Ids in ledger-domain), never
-- sorted for a reader: no query orders by one except the projection's lock order, which only needs some
-- total order that every writer shares. Under a libc collation such as C.UTF-8, PostgreSQL compares
-- text through strcoll, after copying both strings, in every step down every index: the entries' two
-- indexes both start with account_id, and inserting entries was most of the read model's time
-- (BENCHMARKS.md, "The read model's statements, by time"). Byte order also cannot change under the
-- index when the operating system's C library is upgraded, as a libc collation can.
--
-- Every id column changes together: a comparison of two columns of different collations is an error.
-- The type stays text, so no table is rewritten; the indexes on these columns are rebuilt, under an
-- exclusive lock on each table for as long as that takes.
ALTER TABLE accounts
    ALTER COLUMN account_id TYPE text COLLATE "C";

ALTER TABLE entries
    ALTER COLUMN entry_id TYPE text COLLATE "C",
    ALTER COLUMN account_id TYPE text COLLATE "C",
    ALTER COLUMN transfer_id TYPE text COLLATE "C";

ALTER TABLE transfers
    ALTER COLUMN transfer_id TYPE text COLLATE "C",
    ALTER COLUMN debit_account_id TYPE text COLLATE "C",
    ALTER COLUMN credit_account_id TYPE text COLLATE "C";
