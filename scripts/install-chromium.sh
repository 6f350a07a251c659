#!/usr/bin/env bash
# Installs Debian's chromium for the end-to-end test of the web page (test/e2e/web.test.ts), which drives it through
# playwright-core with executablePath /usr/bin/chromium. Playwright's own browser download is not used: machines here
# reach Debian's package archive but not the browser builds' hosts.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown')"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# fonts-liberation gives the page a readable sans-serif in screenshots; no external fonts are loaded by the page.
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
echo "installed: $(/usr/bin/chromium --version)"
