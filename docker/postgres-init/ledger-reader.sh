#!/bin/sh
# Runs once, when the postgres container initialises its empty volume: creates the ledger's query-side role
# with the password of the secret ledger_db_read_password. The ledger's migrations then grant it SELECT on the
# read model and nothing else (they would create it without a password, which this server's password
# authentication would refuse). An existing volume skips this: run the same CREATE ROLE by hand once.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v password="$(cat /run/secrets/ledger_db_read_password)" <<'SQL'
CREATE ROLE ledger_reader LOGIN PASSWORD :'password';
SQL
