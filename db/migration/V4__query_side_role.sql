-- The query side (the API's reads) connects as its own role, which may read the read model and nothing else:
-- a bug or an injected statement on the read path cannot change a balance, however the query is written.
-- ${readRole} is LEDGER_DB_READ_USER (default ledger_reader). Created here when missing, without a password:
-- the embedded PostgreSQL of `./ledger dev` and of the tests trusts local connections. Elsewhere the database's
-- administrator creates it first, with its password (the README says how); an existing role is left as it is.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${readRole}') THEN
        CREATE ROLE "${readRole}" LOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL; -- another schema's migration created it at the same moment
END
$$;

GRANT USAGE ON SCHEMA "${flyway:defaultSchema}" TO "${readRole}";
GRANT SELECT ON ALL TABLES IN SCHEMA "${flyway:defaultSchema}" TO "${readRole}";
-- Flyway's bookkeeping is no read-model table
REVOKE ALL ON "${flyway:defaultSchema}"."${flyway:table}" FROM "${readRole}";
-- tables later migrations create (as the role running them) are readable too, and nothing more
ALTER DEFAULT PRIVILEGES IN SCHEMA "${flyway:defaultSchema}" GRANT SELECT ON TABLES TO "${readRole}";
