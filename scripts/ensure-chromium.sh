#!/bin/sh
# Make sure a Chromium exists for the browser tests: a system Chromium, else Debian's (as root),
# else Playwright's own download (needs network access to its CDN).
set -eu
here="$(dirname "$0")"
sh "$here/ensure-tool.sh" chromium chromium "${SIGNED_EXPLORER_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser && exit 0
echo "chromium: no system Chromium; trying 'playwright install chromium'"
"${PY:-.venv/bin/python}" -m playwright install chromium
