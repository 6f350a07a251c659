#!/bin/sh
# Container entrypoint (installed as /usr/local/bin/movierec-entrypoint): fail fast, with the fix, when the data
# folder is not writable by the user the container runs as, then run the command (the service by default, or
# `movierec ...`). A host folder bind-mounted on /app/data keeps its host owner, and the image runs as `node` (1000).
set -eu

data_dir="${DATA_DIR:-/app/data}"
mkdir -p "$data_dir" 2>/dev/null || true
probe="$data_dir/.write-probe.$$"
if ! (: >"$probe") 2>/dev/null; then
  uid=$(id -u)
  gid=$(id -g)
  owner=$(stat -c '%u:%g' "$data_dir" 2>/dev/null || echo '?')
  cat >&2 <<EOF
movierec: the data folder $data_dir is not writable by uid $uid (gid $gid); it belongs to $owner.
  The model, the data sets and log_file.log live there. Fix one of:
  - give the host folder to the container user:   sudo chown -R $uid:$gid ./data
  - or run the container as the folder's owner:   MOVIEREC_UID=\$(id -u) MOVIEREC_GID=\$(id -g) docker compose up -d
    (docker run: --user "\$(id -u):\$(id -g)")
EOF
  exit 77
fi
rm -f "$probe"

exec "$@"
