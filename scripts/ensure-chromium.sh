#!/bin/sh
# Make sure a Chromium exists for the browser tests.
# 1. A system Chromium (Debian's package) is used when present.
# 2. As root with apt-get, install Debian's chromium.
# 3. Otherwise fall back to Playwright's own download (needs network access to its CDN).
set -eu
for candidate in "${SIGNED_EXPLORER_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then
    echo "chromium: $candidate"
    exit 0
  fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "chromium: installing Debian's chromium with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
  exit 0
fi
echo "chromium: no system Chromium; trying 'playwright install chromium'"
"${PY:-.venv/bin/python}" -m playwright install chromium
