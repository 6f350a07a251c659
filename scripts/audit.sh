#!/usr/bin/env bash
# Dependency audit of what ships: the npm production dependencies (package-lock.json) and the Rust crates (Cargo.lock).
#
#   scripts/audit.sh                        npm audit --omit=dev, and cargo audit with the RustSec database it fetches
#   RUSTSEC_DB=DIR scripts/audit.sh         cargo audit on a local clone of the RustSec advisory-db (no network)
#   OSV_DB=DIR scripts/audit.sh             also osv-scanner, offline, on each lock file whose ecosystem has a
#                                           database in DIR: DIR/osv-scalibr/<ecosystem>/all.zip, the folder
#                                           osv-scanner 2.6.0 reads (its docs still say osv-scanner/); ecosystems
#                                           crates.io and npm; package-lock.json is scanned whole, dev deps included
#
# Each audit runs when its tool and its database can be had; otherwise it is reported as SKIPPED with the reason, never
# as clean. Exit status: 0 every audit ran and found nothing; 1 a finding, or an audit failed for another reason;
# 2 nothing found, but at least one audit was skipped (CI has the network and the tools: there, 2 is a failure too).
# Findings and how this machine runs it are in RELIABILITY.md ("Dependency audit").
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

# RustSec advisories examined and accepted, one `--ignore ID` each, with the reason in RELIABILITY.md. None today.
CARGO_AUDIT_IGNORE=()

declare -a RESULTS=()
found=0
skipped=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

pass() { RESULTS+=("PASS     $1"); }
finding() { RESULTS+=("FINDING  $1"); found=1; }
skip() { RESULTS+=("SKIPPED  $1: $2"); skipped=1; }

audit_npm() {
  echo "== npm audit --omit=dev"
  if npm audit --omit=dev 2>&1 | tee "$out"; then
    pass "npm audit --omit=dev"
  elif grep -qE 'audit endpoint returned an error|E(NOTFOUND|AI_AGAIN|CONNREFUSED|TIMEDOUT|CONNRESET)' "$out"; then
    # npm exits 1 both for vulnerabilities and for an unreachable advisory service: only the latter is a skip.
    skip "npm audit --omit=dev" "the registry's audit endpoint did not answer ($(grep -m1 -E 'npm (warn|error)' "$out"))"
  else
    finding "npm audit --omit=dev"
  fi
}

audit_cargo() {
  local args=(audit --deny warnings)
  local id
  for id in "${CARGO_AUDIT_IGNORE[@]}"; do args+=(--ignore "$id"); done
  if ! command -v cargo-audit >/dev/null 2>&1; then
    skip "cargo audit" "cargo-audit is not installed ('cargo install --locked cargo-audit')"
    return
  fi
  if [ -n "${RUSTSEC_DB:-}" ]; then
    [ -d "$RUSTSEC_DB/crates" ] || { finding "cargo audit: RUSTSEC_DB=$RUSTSEC_DB holds no crates/ folder"; return; }
    # --stale: a local copy is older than cargo-audit likes by design; its date is printed so the age is on record.
    args+=(--db "$RUSTSEC_DB" --no-fetch --stale)
    echo "== cargo ${args[*]} (advisory-db $(git -C "$RUSTSEC_DB" log -1 --format='%h of %cs' 2>/dev/null || echo 'of unknown date'))"
  else
    echo "== cargo ${args[*]}"
  fi
  if cargo "${args[@]}" 2>&1 | tee "$out"; then
    pass "cargo audit (Cargo.lock)"
  elif grep -qiE "couldn't fetch advisory database|failed to fetch|error sending request|could not resolve" "$out"; then
    skip "cargo audit" "the RustSec advisory database could not be fetched (set RUSTSEC_DB to a local clone)"
  else
    finding "cargo audit (Cargo.lock)"
  fi
}

audit_osv() {
  # A second opinion, run only when asked for: it adds nothing where npm audit and cargo audit can run.
  if [ -z "${OSV_DB:-}" ]; then
    RESULTS+=("-        osv-scanner not requested (OSV_DB unset)")
    return
  fi
  if ! command -v osv-scanner >/dev/null 2>&1; then
    skip "osv-scanner" "osv-scanner is not installed ('go install github.com/google/osv-scanner/v2/cmd/osv-scanner@v2.6.0')"
    return
  fi
  local lockfile ecosystem
  for lockfile in Cargo.lock:crates.io package-lock.json:npm; do
    ecosystem=${lockfile#*:}
    lockfile=${lockfile%%:*}
    if [ ! -f "$OSV_DB/osv-scalibr/$ecosystem/all.zip" ]; then
      skip "osv-scanner $lockfile" "no offline $ecosystem database at $OSV_DB/osv-scalibr/$ecosystem/all.zip"
      continue
    fi
    echo "== osv-scanner scan source --offline-vulnerabilities --lockfile $lockfile"
    if OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY="$OSV_DB" \
      osv-scanner scan source --offline-vulnerabilities --lockfile "$lockfile" 2>&1 | tee "$out"; then
      pass "osv-scanner $lockfile ($ecosystem database of $(date -u -r "$OSV_DB/osv-scalibr/$ecosystem/all.zip" +%F))"
    else
      finding "osv-scanner $lockfile"
    fi
  done
}

audit_npm
audit_cargo
audit_osv

echo
echo "== audit summary"
printf '  %s\n' "${RESULTS[@]}"
if [ "$found" = 1 ]; then exit 1; fi
if [ "$skipped" = 1 ]; then exit 2; fi
exit 0
