#!/usr/bin/env bash
# Dependency audit: npm (production dependencies only) and the Rust crates in Cargo.lock (RustSec advisory database).
# Exit code: 0 when both are clean, 1 when either reports a vulnerability (or its advisory service is unreachable), 2 when cargo-audit is not installed
# (install: `cargo install --locked cargo-audit`; CI can use a prebuilt binary). Findings are explained in RELIABILITY.md.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
status=0

echo "== npm audit --omit=dev"
npm audit --omit=dev || status=1

echo "== cargo audit (Cargo.lock)"
if command -v cargo-audit >/dev/null 2>&1; then
  cargo audit --deny warnings || status=1
else
  echo "cargo-audit is not installed: run 'cargo install --locked cargo-audit' (see RELIABILITY.md)" >&2
  [ "$status" = 0 ] && status=2
fi
exit "$status"
