#!/bin/sh
# Starts PostgreSQL on 0.0.0.0:5432 (the compose network only: the port is not published). First start: initdb in
# PGDATA with the superuser movierec (password POSTGRES_PASSWORD, scram-sha-256 over TCP, required) and a database
# movierec; the service's migrations create the tables. SIGINT (compose stop) is a fast, clean shutdown.
set -eu
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD (the password of the movierec user)}"
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  "$BIN/initdb" -D "$PGDATA" -U movierec --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  "$BIN/pg_ctl" -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  "$BIN/createdb" -U movierec movierec
  "$BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  echo "movierec-postgres: created the cluster in $PGDATA"
fi
exec "$BIN/postgres" -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/run/postgresql
