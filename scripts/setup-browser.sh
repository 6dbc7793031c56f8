#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (test/browser/, driven by
# playwright-core) when /usr/bin/chromium is missing. Safe to run repeatedly:
# quiet and does nothing when it is present. Exits non-zero only when
# Chromium is missing and could not be installed (the tests then skip and
# say why).
set -uo pipefail

CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-browser: $CHROMIUM missing and no apt-get here; install Chromium with your package manager" >&2
  exit 1
fi
echo "setup-browser: installing chromium from Debian packages" >&2
as_root apt-get update -qq || true
# fonts-liberation: pages render with real glyphs in screenshots.
log=$(mktemp)
if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >"$log" 2>&1; then
  cat "$log" >&2; rm -f "$log"
  echo "setup-browser: could not install chromium; the browser tests will be skipped" >&2
  exit 1
fi
rm -f "$log"
[ -x "$CHROMIUM" ] || { echo "setup-browser: chromium installed but $CHROMIUM is missing" >&2; exit 1; }
exit 0
