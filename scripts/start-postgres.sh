#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the tests of the rating store's PostgreSQL back end (test/store/), from
# Debian's `postgresql` package (installed here when missing; needs root for that), and prints its URL on the last
# line of stdout:
#   export TEST_DATABASE_URL=$(bash scripts/start-postgres.sh | tail -n 1)
# The cluster lives in PG_TEST_DIR (default a new temp folder), listens on 127.0.0.1:PG_TEST_PORT (default 55432)
# only, trusts local connections (a test server: nothing else can reach it) and runs as the `postgres` user when
# started by root. Stop it with: bash scripts/start-postgres.sh stop (same PG_TEST_DIR).
set -euo pipefail

PORT=${PG_TEST_PORT:-55432}
DIR=${PG_TEST_DIR:-}
STATE=${TMPDIR:-/tmp}/movierec-pg-test.dir

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$bin" ] && echo "$bin"
}

if [ "${1:-}" = stop ]; then
  DIR=${DIR:-$(cat "$STATE" 2>/dev/null || true)}
  [ -n "$DIR" ] && [ -d "$DIR" ] || { echo "no test cluster to stop"; exit 0; }
  as_owner "$(pg_bin)/pg_ctl" -D "$DIR" -m fast -w stop || true
  rm -rf "$DIR" "$STATE"
  exit 0
fi

if [ -z "$(pg_bin)" ]; then
  [ "$(id -u)" = 0 ] || { echo "PostgreSQL is not installed (apt-get install postgresql, as root)" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }
fi
BIN=$(pg_bin)

if [ -z "$DIR" ]; then DIR=$(mktemp -d -t movierec-pg.XXXXXX); fi
mkdir -p "$DIR"
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$DIR"; fi
chmod 700 "$DIR"
if [ ! -f "$DIR/PG_VERSION" ]; then
  as_owner "$BIN/initdb" -D "$DIR" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
fi
# The socket goes into the cluster's own folder: /var/run/postgresql may not exist or be writable.
as_owner "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=on -c synchronous_commit=on" start >/dev/null
echo "$DIR" >"$STATE"
"$BIN/pg_isready" -h 127.0.0.1 -p "$PORT" -t 30 >/dev/null
echo "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT, cluster $DIR" >&2
echo "postgres://postgres@127.0.0.1:$PORT/postgres"
