#!/usr/bin/env bash
# scripts/run-notebook.sh: executes notebooks/movierec.ipynb headless against a service this script starts, and renders
# it to notebooks/out/movierec.html (git-ignored; CI keeps it as an artifact). Exit 0 when every cell ran without an
# error (the notebook asserts what it shows: the API's similar movies are numpy's, /api/info is the model it read).
#   1. notebooks/.venv from notebooks/requirements.txt (pinned, from PyPI; made again only when that file changes)
#   2. a model in a temporary DATA_DIR: ALS on ../shared/movielens/ml-latest-small when present, else the demo catalogue
#   3. the service (dist/, so `npm run build` first) on a free loopback port, waited for on /readyz, stopped at the end
#   4. jupyter nbconvert --execute --to html, with MOVIEREC_URL and MOVIEREC_DATA_DIR pointing at them
# Settings (environment): PYTHON (default python3, 3.11 or newer), NOTEBOOK_VENV (default notebooks/.venv),
# NOTEBOOK_CELL_TIMEOUT (seconds per cell, default 300).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
NOTEBOOK=notebooks/movierec.ipynb
REQUIREMENTS=notebooks/requirements.txt
OUT=notebooks/out
VENV=${NOTEBOOK_VENV:-$ROOT/notebooks/.venv}
SMALL=$ROOT/../shared/movielens/ml-latest-small/ratings.csv
WORK=$(mktemp -d -t movierec-notebook.XXXXXX)
SERVICE_PID=''

say() { printf '[notebook %(%H:%M:%S)T] %s\n' -1 "$*"; }
cleanup() {
  if [ -n "$SERVICE_PID" ]; then
    kill "$SERVICE_PID" 2>/dev/null || true
    wait "$SERVICE_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -f dist/src/server/main.js ] || { echo "dist/ is not built: run npm run build first" >&2; exit 1; }

# 1. The virtual environment, keyed by the requirements file's hash.
want=$(sha256sum "$REQUIREMENTS" | cut -d ' ' -f 1)
if [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" != "$want" ]; then
  say "installing $REQUIREMENTS into $VENV"
  rm -rf "$VENV"
  "${PYTHON:-python3}" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  echo "$want" >"$VENV/.requirements.sha256"
fi
say "python $("$VENV/bin/python" -c 'import platform; print(platform.python_version())'), $("$VENV/bin/jupyter" nbconvert --version | sed 's/^/nbconvert /')"

# 2. A model to explore and serve.
export DATA_DIR=$WORK/data
mkdir -p "$DATA_DIR"
if [ -f "$SMALL" ]; then
  say "training by ALS on $SMALL"
  node bin/movierec.js train --dataset="$SMALL" --method als --json >"$WORK/train.json" 2>"$WORK/train.log" ||
    { tail -n 20 "$WORK/train.log"; exit 1; }
else
  say "no $SMALL: the demo catalogue"
  node bin/movierec.js demo --json >"$WORK/train.json" 2>"$WORK/train.log" || { tail -n 20 "$WORK/train.log"; exit 1; }
fi

# 3. The service, on a port nobody uses.
PORT=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
URL=http://127.0.0.1:$PORT
BOOTSTRAP=none HOST=127.0.0.1 PORT=$PORT LOG_LEVEL=warn node dist/src/server/main.js >"$WORK/service.log" 2>&1 &
SERVICE_PID=$!
for _ in $(seq 1 120); do
  curl -fsS --max-time 2 -o /dev/null "$URL/readyz" 2>/dev/null && break
  kill -0 "$SERVICE_PID" 2>/dev/null || { tail -n 20 "$WORK/service.log"; echo "the service exited" >&2; exit 1; }
  sleep 0.5
done
curl -fsS --max-time 2 -o /dev/null "$URL/readyz" || { tail -n 20 "$WORK/service.log"; echo "no 200 from $URL/readyz" >&2; exit 1; }
say "service on $URL (pid $SERVICE_PID), DATA_DIR $DATA_DIR"

# 4. Execute and render.
mkdir -p "$OUT"
t=$EPOCHREALTIME
MOVIEREC_URL=$URL MOVIEREC_DATA_DIR=$DATA_DIR "$VENV/bin/jupyter" nbconvert --to html --execute \
  --ExecutePreprocessor.timeout="${NOTEBOOK_CELL_TIMEOUT:-300}" --output-dir "$OUT" "$NOTEBOOK" 2>"$WORK/nbconvert.log" ||
  { tail -n 40 "$WORK/nbconvert.log"; echo "the notebook failed (above)" >&2; exit 1; }
cells=$("$VENV/bin/python" -c 'import json, sys; print(sum(c["cell_type"] == "code" for c in json.load(open(sys.argv[1]))["cells"]))' "$NOTEBOOK")
say "$cells code cells executed in $(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s without error: $OUT/movierec.html ($(wc -c <"$OUT/movierec.html") bytes)"
