#!/bin/sh
# Runs once, when the postgres volume is created (docker-entrypoint-initdb.d). POSTGRES_USER
# (amsnet) owns the schema and runs the migrations; the programs connect as amsnet_app, which may
# read and write rows but only append to the audit log (the grants follow each `amsnet migrate`).
# The job queue (pg-boss) keeps its own tables in a schema amsnet_app owns.
# An existing volume: run these statements once by hand (README, "Database roles").
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_password="$AMSNET_APP_PASSWORD" <<'SQL'
CREATE ROLE amsnet_app LOGIN PASSWORD :'app_password';
CREATE SCHEMA pgboss AUTHORIZATION amsnet_app;
SQL
