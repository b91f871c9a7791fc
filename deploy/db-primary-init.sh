#!/bin/bash
# Run once by the postgres image on the primary's first start (docker-compose.yml mounts it into
# /docker-entrypoint-initdb.d): lets the replica stream from it, and puts the statement deadlines on the
# database, since instances behind PgBouncer cannot send them when they connect.
set -euo pipefail
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
ALTER DATABASE "$POSTGRES_DB" SET statement_timeout = '5s';
ALTER DATABASE "$POSTGRES_DB" SET idle_in_transaction_session_timeout = '5s';
SQL
