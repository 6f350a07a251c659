#!/usr/bin/env bash
# scripts/container-test.sh: build the real Dockerfile and run the real docker-compose.yaml, then check the service
# end to end: empty ./data (demo bootstrap), /readyz, /predict, /api/info, /api/log, training inside the container +
# /api/reload, persistence across a fresh container, non-root, read-only root fs; then docker-compose.replicas.yaml on
# the same data: nginx and 2 replicas, a promotion and a rollback under a steady 200 requests/s through the proxy (both
# replicas follow within 2 s), one replica stopped (no request lost). Tears everything down on exit.
#
# Engine: `docker compose` (or legacy `docker-compose`) when a Docker engine answers; otherwise rootful podman +
# podman-compose from ../shared/container (its `prepare` runs first; needs root).
#
# Settings (environment): CT_READY_TIMEOUT=600 (s to wait for /readyz, demo bootstrap included), CT_PORT (host port,
# default: a free one; bound on 127.0.0.1 only), CT_IMAGE and CT_PROXY_IMAGE (image names, default
# localhost/movie-recommender[-proxy]:container-test), CT_KEEP=1 (leave the containers and the temp folder for debugging).
# Exit status: 0 when every check passed.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLKIT=$(cd "$ROOT/.." && pwd)/shared/container
READY_TIMEOUT=${CT_READY_TIMEOUT:-600}
PROJECT=movierec-ct-$$
FIXTURE=$ROOT/native/core/tests/fixtures/ml-latest
WORK=$(mktemp -d -t movierec-ct.XXXXXX)
DATA=$WORK/data
LOGS=$WORK/logs
KEEP_LOGS=$ROOT/test-artifacts/container-test
mkdir -p "$DATA" "$LOGS"

T0=$EPOCHREALTIME
RESULTS=()   # "PASS|FAIL<TAB>name<TAB>seconds<TAB>detail"
FAILED=0
ENGINE=''    # docker | podman
COMPOSE=()   # the compose command
CTR_LABEL='' # label compose puts on the project's containers

# ---------------------------------------------------------------------------------------------------------- helpers
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
say() { printf '[container-test %(%H:%M:%S)T] %s\n' -1 "$*"; }
record() { # record PASS|FAIL NAME START DETAIL
  local secs
  secs=$(since "$3")
  RESULTS+=("$1"$'\t'"$2"$'\t'"$secs"$'\t'"$4")
  printf '%s  %-44s %7ss  %s\n' "$1" "$2" "$secs" "$4"
  [ "$1" = PASS ] || FAILED=$((FAILED + 1))
}
# check NAME FUNCTION [ARGS...]: run a check function; it prints its detail on stdout and fails with a reason.
check() {
  local name=$1 t=$EPOCHREALTIME out rc=0
  shift
  # Not in a subshell: pick_engine's settings must survive.
  "$@" >"$WORK/check.out" 2>&1 || rc=$?
  out=$(cat "$WORK/check.out")
  if [ "$rc" = 0 ]; then record PASS "$name" "$t" "$(tail -n 1 <<<"$out")"; else
    record FAIL "$name" "$t" "$(tail -n 1 <<<"$out")"
    [ "$(wc -l <<<"$out")" -le 1 ] || sed 's/^/      | /' <<<"$out" | tail -n 25
  fi
  return "$rc"
}
# must NAME FUNCTION...: a check the rest depends on; stop here when it fails.
must() { check "$@" || finish; }

compose() { "${COMPOSE[@]}" -p "$PROJECT" -f "$ROOT/docker-compose.yaml" "$@"; }
app_ctr() { "$ENGINE" ps -q --filter "label=$CTR_LABEL=$PROJECT" --filter status=running | head -n 1; }
all_ctrs() { "$ENGINE" ps -aq --filter "label=$CTR_LABEL=$PROJECT"; "$ENGINE" ps -aq --filter "label=$CTR_LABEL=$PROJECT-r"; }

# JSON from stdin; prints the value of a JS expression over it (bound to `j`); fails when the expression throws or
# yields undefined/false. Used instead of jq, which is not everywhere.
json() {
  node -e '
    const j = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const v = eval(process.argv[1]);
    if (v === undefined || v === false) { console.error("json: " + process.argv[1] + " is " + v); process.exit(1); }
    console.log(typeof v === "string" ? v : JSON.stringify(v));
  ' "$1"
}
# http METHOD PATH [BODY]: body on stdout; fails on a non-2xx status (the body goes to stderr then).
http() {
  local method=$1 path=$2 body=${3-} out status
  local args=(-sS --max-time 30 -X "$method" -o "$WORK/http.body" -w '%{http_code}')
  [ -z "$body" ] || args+=(-H 'content-type: application/json' --data "$body")
  status=$(curl "${args[@]}" "$URL$path") || { echo "$method $path: no answer" >&2; return 1; }
  out=$(cat "$WORK/http.body")
  if [ "${status:0:1}" != 2 ]; then echo "$method $path -> $status: ${out:0:300}" >&2; return 1; fi
  printf '%s' "$out"
}
# wait_ready SECONDS: poll /readyz until it answers 200.
wait_ready() {
  local deadline=$((SECONDS + $1)) ctr
  while [ "$SECONDS" -lt "$deadline" ]; do
    if curl -fsS --max-time 3 -o /dev/null "$URL/readyz" 2>/dev/null; then echo "ready"; return 0; fi
    ctr=$(all_ctrs | head -n 1)
    [ -n "$ctr" ] || { echo "no container of $PROJECT exists"; return 1; }
    if [ "$("$ENGINE" inspect --format '{{.State.Running}}' "$ctr" 2>/dev/null)" = false ]; then
      echo "the container exited: $("$ENGINE" inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$ctr")"
      return 1
    fi
    sleep 2
  done
  echo "no 200 from /readyz within $1 s"
  return 1
}
show_logs() {
  local id
  for id in $(all_ctrs); do
    echo "--- $ENGINE logs $id (last 40 lines)"
    "$ENGINE" logs --tail 40 "$id" 2>&1 || true
  done
}

teardown() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "${CT_KEEP:-0}" = 1 ]; then say "CT_KEEP=1: left project $PROJECT and $WORK"; exit "$rc"; fi
  if [ -n "$ENGINE" ]; then
    [ "$FAILED" = 0 ] && [ "$rc" = 0 ] || show_logs
    compose down >/dev/null 2>&1 || true
    compose_r down >/dev/null 2>&1 || true
    local id
    for id in $(all_ctrs); do "$ENGINE" rm -f "$id" >/dev/null 2>&1 || true; done
    "$ENGINE" network rm "${PROJECT}_default" "${PROJECT}-r_default" >/dev/null 2>&1 || true
    [ -z "$(all_ctrs)" ] && say "torn down: no container of $PROJECT left" || say "WARNING: containers of $PROJECT remain"
  fi
  # Keep the logs (build, compose, train) for a look after the run; test-artifacts/ is not committed.
  rm -rf "$KEEP_LOGS" && mkdir -p "$KEEP_LOGS" && cp -r "$LOGS/." "$KEEP_LOGS/" 2>/dev/null || true
  rm -rf "$WORK"
  exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT TERM

finish() {
  echo
  echo "container test summary ($ENGINE, $(since "$T0")s in all):"
  local r
  for r in "${RESULTS[@]}"; do IFS=$'\t' read -r st name secs _ <<<"$r"; printf '  %s  %-44s %7ss\n' "$st" "$name" "$secs"; done
  local total=${#RESULTS[@]}
  echo "container-test: $((total - FAILED)) passed, $FAILED failed"
  [ "$FAILED" = 0 ] && exit 0 || exit 1
}

# ---------------------------------------------------------------------------------------------------------- engine
pick_engine() {
  if command -v docker >/dev/null && timeout 20 docker info >/dev/null 2>&1; then
    ENGINE=docker
    CTR_LABEL=com.docker.compose.project
    if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose)
    elif command -v docker-compose >/dev/null; then COMPOSE=(docker-compose)
    else echo "a Docker engine answers but neither 'docker compose' nor 'docker-compose' is installed"; return 1; fi
    echo "docker engine; ${COMPOSE[*]}"
    return 0
  fi
  [ "$(id -u)" = 0 ] || { echo "no Docker engine, and podman (../shared/container) needs root"; return 1; }
  [ -x "$TOOLKIT/prepare" ] || { echo "no Docker engine and no $TOOLKIT/prepare"; return 1; }
  # The node:NN-* stand-ins are built from the Node of .nvmrc (the one .ci/run installed; fast when it is there).
  local node_bin
  node_bin=$(bash "$ROOT/scripts/install-node.sh" | tail -n 1) || { echo "scripts/install-node.sh failed"; return 1; }
  if ! NODE_BIN=$node_bin/node "$TOOLKIT/prepare" >"$LOGS/prepare.log" 2>&1; then
    tail -n 20 "$LOGS/prepare.log"
    echo "$TOOLKIT/prepare failed (log above)"
    return 1
  fi
  # shellcheck source=/dev/null
  . "$TOOLKIT/env.sh"
  command -v podman-compose >/dev/null || { echo "prepare did not install podman-compose"; return 1; }
  ENGINE=podman
  CTR_LABEL=io.podman.compose.project
  COMPOSE=(podman-compose)
  echo "podman $(podman version --format '{{.Client.Version}}'), podman-compose (prepare: $(grep -c '' "$LOGS/prepare.log") log lines)"
}

# ---------------------------------------------------------------------------------------------------------- checks
do_build() {
  local bytes rc=0
  # Remove the previous image first: podman-compose 1.0.3 exits 0 even when the build fails, so the check below
  # must not find an old one.
  "$ENGINE" image rm "$MOVIEREC_IMAGE" >/dev/null 2>&1 || true
  compose build >"$LOGS/build.log" 2>&1 || rc=$?
  if [ "$rc" != 0 ] || ! "$ENGINE" image inspect "$MOVIEREC_IMAGE" >/dev/null 2>&1; then
    grep -v 'WARNING  Skipping cross-process' "$LOGS/build.log" | tail -n 30
    echo "image build failed (exit $rc; last lines above)"
    return 1
  fi
  bytes=$("$ENGINE" image inspect --format '{{.Size}}' "$MOVIEREC_IMAGE")
  echo "image $MOVIEREC_IMAGE: $(awk -v b="$bytes" 'BEGIN { printf "%.0f MB", b / 1e6 }') ($bytes bytes)"
}

check_labels() {
  local key value detail=''
  for key in version revision created; do
    value=$("$ENGINE" image inspect --format "{{ index .Config.Labels \"org.opencontainers.image.$key\" }}" "$MOVIEREC_IMAGE")
    [ -n "$value" ] && [ "$value" != '<no value>' ] || { echo "label org.opencontainers.image.$key is missing"; return 1; }
    detail+="$key=$value "
  done
  [ "$("$ENGINE" image inspect --format '{{ index .Config.Labels "org.opencontainers.image.revision" }}' "$MOVIEREC_IMAGE")" = "$GIT_SHA" ] ||
    { echo "revision label is not $GIT_SHA"; return 1; }
  echo "$detail"
}

# The image carries no data, model or log, no dev dependency, and has the CLI on PATH.
check_image_contents() {
  local out
  out=$("$ENGINE" run --rm --entrypoint sh "$MOVIEREC_IMAGE" -c '
    set -e
    test -z "$(ls -A /app/data)" || { echo "/app/data is not empty: $(ls -A /app/data)"; exit 1; }
    found=$(find / -xdev \( -name "log_file.log*" -o -name "*.npy" -o -name model.json \) -print 2>/dev/null | head -n 3)
    test -z "$found" || { echo "data in the image: $found"; exit 1; }
    for dev in typescript @napi-rs/cli eslint tsx; do
      test ! -e "/app/node_modules/$dev" || { echo "dev dependency $dev in the image"; exit 1; }
    done
    command -v movierec >/dev/null || { echo "movierec is not on PATH"; exit 1; }
    movierec --help >/dev/null || { echo "movierec --help failed"; exit 1; }
    echo "no data/model/log, no dev deps, movierec on PATH; node_modules $(du -sm /app/node_modules | cut -f1) MB"
  ' 2>&1) || { echo "$out"; return 1; }
  echo "$out"
}

# The image runs the Node.js release line that .nvmrc pins.
check_image_node() {
  local want have
  want=$(cut -d . -f 1 "$ROOT/.nvmrc")
  # stderr apart: podman adds its own complaints there (no systemd for healthchecks).
  have=$("$ENGINE" run --rm --entrypoint node "$MOVIEREC_IMAGE" -v 2>"$WORK/node-v.err") ||
    { cat "$WORK/node-v.err"; echo "node -v failed in the image"; return 1; }
  case "$have" in
    "v$want".*) echo "node $have in the image (.nvmrc: $(cat "$ROOT/.nvmrc"))" ;;
    *) echo "node $have in the image, wanted $want.x (.nvmrc)"; return 1 ;;
  esac
}

# A data folder the container user cannot write: the entrypoint refuses with the fix instead of crashing later.
check_unwritable_data() {
  local ro=$WORK/readonly-data out rc=0
  mkdir -p "$ro" && chmod 0555 "$ro"
  out=$("$ENGINE" run --rm --user "$MOVIEREC_UID:$MOVIEREC_GID" -v "$ro:/app/data" "$MOVIEREC_IMAGE" 2>&1) || rc=$?
  [ "$rc" = 77 ] || { echo "$out"; echo "exit status $rc, wanted 77"; return 1; }
  grep -q 'not writable' <<<"$out" && grep -q 'chown' <<<"$out" || { echo "$out"; echo "no clear message"; return 1; }
  echo "exit 77: $(grep -m 1 '^movierec:' <<<"$out" | cut -c1-110)"
}

start_app() {
  compose up -d >"$LOGS/up.log" 2>&1 || { tail -n 20 "$LOGS/up.log"; echo "compose up failed"; return 1; }
  local t=$EPOCHREALTIME
  wait_ready "$READY_TIMEOUT" || return 1
  echo "ready after $(since "$t")s"
}

demo_ids() { # the first movies the model knows, for /predict
  http GET '/api/movies?q=&limit=5' | json 'const l = Array.isArray(j) ? j : (j.movies || j.results || j.items); l.slice(0, 3).map((m) => m.id ?? m.movieId).join(",")'
}

check_predict() {
  local ids body out
  ids=$(demo_ids) || ids='1,2,3'
  body="[[${ids}],[5,4,3]]"
  out=$(http POST '/predict?M=5' "$body") || return 1
  json '
    const [names, ratings] = j;
    Array.isArray(names) && Array.isArray(ratings) && names.length === ratings.length && names.length > 0 &&
      names.every((n) => typeof n === "string" && n.length > 0) &&
      ratings.every((r, i) => Number.isFinite(r) && (i === 0 || ratings[i - 1] >= r)) &&
      `${names.length} movies, top: ${names[0]} (${ratings[0].toFixed(2)})`
  ' <<<"$out" || { echo "POST /predict $body -> ${out:0:300}"; return 1; }
}

# Finds a value by key anywhere in a JSON document (the first match, depth first).
find_key() { json "(function f(o) { if (o && typeof o === 'object') { if ('$1' in o && o['$1'] !== null) return o['$1']; for (const v of Object.values(o)) { const r = f(v); if (r !== undefined) return r; } } })(j)"; }

check_info() {
  local info date commit
  info=$(http GET /api/info) || return 1
  printf '%s' "$info" >"$WORK/info.json"
  date=$(find_key imageBuiltAt <<<"$info" 2>/dev/null || find_key buildDate <<<"$info" 2>/dev/null) ||
    { echo "${info:0:400}"; echo "no image build date in /api/info"; return 1; }
  [ "$(node -e 'console.log(new Date(process.argv[1]).getTime() === new Date(process.argv[2]).getTime())' "$date" "$BUILD_DATE")" = true ] ||
    { echo "build date $date is not the BUILD_DATE $BUILD_DATE"; return 1; }
  commit=$(find_key commit <<<"$info") || { echo "no commit in /api/info"; return 1; }
  [ "$commit" = "$GIT_SHA" ] || { echo "commit $commit is not $GIT_SHA"; return 1; }
  echo "build date $date, commit ${commit:0:12}, model trained $(model_trained_at <"$WORK/info.json")"
}
model_trained_at() { find_key trainedAt; }
model_dataset() { find_key dataset; }

check_web() {
  local out
  out=$(http GET /) || return 1
  grep -qi '<html' <<<"$out" || { echo "GET / is not an HTML page: ${out:0:200}"; return 1; }
  echo "GET / -> HTML page ($(wc -c <<<"$out") bytes)"
}

check_log() {
  local out
  out=$(http GET '/api/log?n=5') || return 1
  json '
    const lines = Array.isArray(j) ? j : j.lines;
    Array.isArray(lines) && lines.length > 0 && lines.every((l) => typeof l === "string") &&
      `${lines.length} lines, last: ${lines[lines.length - 1].slice(0, 80)}`
  ' <<<"$out" || { echo "GET /api/log -> ${out:0:300}"; return 1; }
}

check_nonroot() {
  local ctr uid root_opts
  ctr=$(app_ctr)
  [ -n "$ctr" ] || { echo "no running app container"; return 1; }
  uid=$("$ENGINE" exec "$ctr" sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' /proc/1/status)
  [ -n "$uid" ] && [ "$uid" != 0 ] || { echo "PID 1 runs as uid '$uid'"; return 1; }
  [ "$uid" = "$MOVIEREC_UID" ] || { echo "PID 1 runs as uid $uid, wanted $MOVIEREC_UID"; return 1; }
  if "$ENGINE" exec "$ctr" sh -c 'touch /app/.write-test' 2>/dev/null; then echo "the root filesystem is writable"; return 1; fi
  # Directly, not only through a failed write (which a non-root user gets on a root-owned /app anyway): the mount
  # options of / as PID 1 sees them.
  root_opts=$("$ENGINE" exec "$ctr" awk '$2 == "/" { o = $4 } END { print o }' /proc/1/mounts)
  case ",$root_opts," in
    *,ro,*) ;;
    *) echo "/ is mounted '$root_opts', not read-only"; return 1 ;;
  esac
  echo "PID 1 uid $uid ($("$ENGINE" exec "$ctr" id -un 2>/dev/null || echo '?')); / mounted ${root_opts%%,*}"
}

check_healthcheck() {
  local ctr status
  ctr=$(app_ctr)
  if [ "$ENGINE" = podman ]; then
    # No systemd here, so nothing runs the HEALTHCHECK on a schedule: run it once by hand.
    podman healthcheck run "$ctr" >/dev/null 2>&1 || { echo "podman healthcheck run: unhealthy"; return 1; }
    echo "healthcheck command: healthy"
  else
    for _ in $(seq 1 45); do
      status=$(docker inspect --format '{{.State.Health.Status}}' "$ctr")
      [ "$status" = healthy ] && { echo "docker health: healthy"; return 0; }
      sleep 2
    done
    echo "docker health: $status"
    return 1
  fi
}

train_and_reload() {
  local before after dataset
  [ -d "$FIXTURE" ] || { echo "fixture $FIXTURE is missing"; return 1; }
  before=$(http GET /api/info | model_trained_at) || { echo "no trainedAt before training"; return 1; }
  mkdir -p "$DATA/datasets"
  cp -r "$FIXTURE" "$DATA/datasets/ml-latest"
  chown -R "$MOVIEREC_UID:$MOVIEREC_GID" "$DATA/datasets"
  if ! compose run --rm app movierec train --dataset=/app/data/datasets/ml-latest/ratings.csv >"$LOGS/train.log" 2>&1; then
    tail -n 20 "$LOGS/train.log"
    echo "movierec train inside the container failed"
    return 1
  fi
  http POST /api/reload '{}' >/dev/null || return 1
  after=$(http GET /api/info | model_trained_at) || { echo "no trainedAt after reload"; return 1; }
  dataset=$(http GET /api/info | model_dataset) || dataset='?'
  [ "$after" != "$before" ] || { echo "trainedAt is still $before after train + reload"; return 1; }
  grep -q 'ml-latest' <<<"$dataset" || { echo "dataset after reload is '$dataset', wanted ml-latest"; return 1; }
  printf '%s' "$after" >"$WORK/trained-at"
  echo "model trained at $after on $(json 'j.name' <<<"$dataset" 2>/dev/null || echo "${dataset:0:40}") (demo model was $before)"
}

restart_and_check_persistence() {
  local log_lines trained served
  [ -f "$DATA/models/current.json" ] || { echo "no models/current.json in the host data folder"; return 1; }
  [ -s "$DATA/log_file.log" ] || { echo "no data/log_file.log on the host"; return 1; }
  log_lines=$(wc -l <"$DATA/log_file.log")
  trained=$(cat "$WORK/trained-at")
  compose down >"$LOGS/down.log" 2>&1 || { tail -n 10 "$LOGS/down.log"; echo "compose down failed"; return 1; }
  [ -z "$(all_ctrs)" ] || { echo "containers remain after down"; return 1; }
  start_app >/dev/null || { echo "the fresh container did not become ready"; return 1; }
  served=$(http GET /api/info | model_trained_at) || return 1
  [ "$served" = "$trained" ] || { echo "after restart the service has the model of $served, wanted $trained"; return 1; }
  [ "$(wc -l <"$DATA/log_file.log")" -gt "$log_lines" ] || { echo "log_file.log did not grow after the restart"; return 1; }
  echo "fresh container serves the model of $trained; models/ ($(find "$DATA/models" -mindepth 1 -maxdepth 1 -name "*T*Z-*" | wc -l) versions) and log_file.log ($log_lines -> $(wc -l <"$DATA/log_file.log") lines) kept on the host"
}

# ---------------------------------------------------------------------------------------------------------- replicas
# docker-compose.replicas.yaml on the same ./data: nginx (deploy/proxy) in front of replica-1 and replica-2.
compose_r() { "${COMPOSE[@]}" -p "$PROJECT-r" -f "$ROOT/docker-compose.replicas.yaml" "$@"; }
replica_ctr() { "$ENGINE" ps -q --filter "label=$CTR_LABEL=$PROJECT-r" --filter "label=com.docker.compose.service=$1" --filter status=running | head -n 1; }
# The version a replica serves, asked inside its container (the replicas publish no port).
replica_version() {
  "$ENGINE" exec "$(replica_ctr "$1")" node -e \
    "fetch('http://127.0.0.1:5000/api/info').then(r=>r.json()).then(j=>console.log(j.model?j.model.version:'none'),()=>console.log('down'))" 2>/dev/null
}
# wait_both VERSION: until both replicas serve VERSION; prints the seconds from the call to the answers that showed it
# (an upper bound: each probe is a `podman exec`, a few hundred ms; the two run at once).
wait_both() {
  local t=$EPOCHREALTIME deadline=$((SECONDS + 10)) a b p1 p2
  while [ "$SECONDS" -lt "$deadline" ]; do
    replica_version replica-1 >"$WORK/probe-1" & p1=$!
    replica_version replica-2 >"$WORK/probe-2" & p2=$!
    wait "$p1" "$p2" || true
    a=$(cat "$WORK/probe-1") b=$(cat "$WORK/probe-2")
    [ "$a" = "$1" ] && [ "$b" = "$1" ] && { since "$t"; return 0; }
  done
  echo "replicas serve '$a' and '$b', not $1, after 10 s"
  return 1
}

start_replicas() {
  compose down >"$LOGS/down-app.log" 2>&1 || true
  compose_r build proxy >"$LOGS/build-proxy.log" 2>&1 || { tail -n 20 "$LOGS/build-proxy.log"; echo "proxy image build failed"; return 1; }
  compose_r up -d >"$LOGS/up-replicas.log" 2>&1 || { tail -n 20 "$LOGS/up-replicas.log"; echo "compose up (replicas) failed"; return 1; }
  local t=$EPOCHREALTIME deadline=$((SECONDS + READY_TIMEOUT))
  until [ -n "$(replica_ctr replica-1)" ] && [ -n "$(replica_ctr replica-2)" ] && [ "$(replica_version replica-1)" != down ] &&
    [ "$(replica_version replica-2)" != down ] && curl -fsS --max-time 3 -o /dev/null "$URL/readyz" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "the replicas and the proxy were not ready within $READY_TIMEOUT s"; return 1; }
    sleep 1
  done
  echo "proxy and 2 replicas ready after $(since "$t")s, both serving $(replica_version replica-1)"
}

# Under a steady 200 requests/s through the proxy: promote the other version (POST /api/reload?version= through the
# proxy: one replica promotes, the other follows), roll back (the CLI in replica-2), then stop replica-1. Every
# replica follows each change within 2 s; the load loses no request.
promote_rollback_stop_under_load() {
  local versions current other t_promote t_rollback load_pid load
  versions=$(http GET /api/models) || return 1
  current=$(json 'j.current' <<<"$versions")
  other=$(json 'j.versions.map((v) => v.version).find((v) => v !== j.current)' <<<"$versions") ||
    { echo "fewer than 2 versions in ./data/models"; return 1; }
  node "$ROOT/scripts/steady-load.mjs" "$URL" 200 14 >"$WORK/load.json" 2>"$LOGS/load.err" &
  load_pid=$!
  sleep 2
  http POST "/api/reload?version=$other" >/dev/null || return 1
  t_promote=$(wait_both "$other") || { echo "$t_promote"; return 1; }
  "$ENGINE" exec "$(replica_ctr replica-2)" movierec models rollback >"$LOGS/rollback.log" 2>&1 ||
    { tail -n 5 "$LOGS/rollback.log"; echo "movierec models rollback failed"; return 1; }
  t_rollback=$(wait_both "$current") || { echo "$t_rollback"; return 1; }
  sleep 2
  "$ENGINE" stop -t 30 "$(replica_ctr replica-1)" >/dev/null || { echo "cannot stop replica-1"; return 1; }
  wait "$load_pid" || { cat "$LOGS/load.err"; echo "the load generator failed"; return 1; }
  load=$(cat "$WORK/load.json")
  awk -v a="$t_promote" -v b="$t_rollback" 'BEGIN { exit !(a <= 2.0 && b <= 2.0) }' ||
    { echo "followed in ${t_promote}s / ${t_rollback}s: more than 2 s"; return 1; }
  json 'Object.keys(j.failed).length === 0 && j.sent >= 2600' <<<"$load" >/dev/null ||
    { echo "load through the proxy: $load"; return 1; }
  echo "both replicas on $other ${t_promote}s after the promotion and back on $current ${t_rollback}s after the rollback; replica-1 stopped; load: $load"
}

# ---------------------------------------------------------------------------------------------------------- main
say "project $PROJECT, work folder $WORK"
must "engine" pick_engine

PORT=${CT_PORT:-$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')}
URL=http://127.0.0.1:$PORT
if [ "$(id -u)" = 0 ]; then
  # Root: the image's own user (node, 1000), as on a server where ./data is chown'ed to it.
  export MOVIEREC_UID=1000 MOVIEREC_GID=1000
else
  # A non-root CI user cannot chown: the container runs as that user (the documented alternative).
  MOVIEREC_UID=$(id -u) MOVIEREC_GID=$(id -g)
  export MOVIEREC_UID MOVIEREC_GID
fi
chown "$MOVIEREC_UID:$MOVIEREC_GID" "$DATA"
export MOVIEREC_DATA=$DATA MOVIEREC_PUBLISH=127.0.0.1:$PORT MOVIEREC_IMAGE=${CT_IMAGE:-localhost/movie-recommender:container-test}
export MOVIEREC_PROXY_IMAGE=${CT_PROXY_IMAGE:-localhost/movie-recommender-proxy:container-test}
export BOOTSTRAP=demo AUTHOR_NAME='Container Test' AUTHOR_CONTACT='container-test@example.invalid' LOG_LEVEL=info
BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
GIT_SHA=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)
VERSION=$(node -p 'require(process.argv[1]).version' "$ROOT/package.json")
export BUILD_DATE GIT_SHA VERSION
say "engine $ENGINE, service on $URL, data in $DATA (uid $MOVIEREC_UID)"

must "build image" do_build
check "OCI labels" check_labels || true
check "image holds no data, no dev deps" check_image_contents || true
check "node of .nvmrc in the image" check_image_node || true
check "unwritable ./data: clear message" check_unwritable_data || true
must "start on empty ./data, /readyz (demo)" start_app
check "POST /predict" check_predict || true
check "GET /api/info (build date, commit)" check_info || true
check "GET /api/log" check_log || true
check "GET / (web page)" check_web || true
check "process is not root, root fs read-only" check_nonroot || true
check "HEALTHCHECK" check_healthcheck || true
check "train in container + POST /api/reload" train_and_reload || true
check "fresh container: model + log persisted" restart_and_check_persistence || true
check "process is not root after restart" check_nonroot || true
must "replicas: proxy + 2 replicas on ./data" start_replicas
check "replicas: promote, rollback, stop one, 200 req/s" promote_rollback_stop_under_load || true
finish
