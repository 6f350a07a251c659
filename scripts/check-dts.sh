#!/usr/bin/env bash
# Fails when a fresh `napi build` changes the committed binding files (native/node/index.d.ts, index.js): the Rust
# API changed without regenerating and committing them. Compares against the git index, so run it after `npm ci`
# (whose prepare step already rebuilt them) or on its own.
set -euo pipefail
cd "$(dirname "$0")/.."

files=(native/node/index.d.ts native/node/index.js)
for f in "${files[@]}"; do
  if ! git ls-files --error-unmatch "$f" >/dev/null 2>&1; then
    echo "check-dts: $f is not committed; run npm run build:native and commit it" >&2
    exit 1
  fi
done

npm run --silent build:native >/dev/null

if ! git diff --exit-code --stat -- "${files[@]}"; then
  git diff -- "${files[@]}" | head -80 >&2
  echo "check-dts: a fresh napi build changed the files above; commit the regenerated binding files" >&2
  exit 1
fi
echo "check-dts: native/node/index.d.ts and index.js match a fresh build"
