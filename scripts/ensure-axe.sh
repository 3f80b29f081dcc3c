#!/bin/sh
# axe-core for the accessibility tests, from the npm registry, exactly the version and bytes package-lock.json
# pins (npm ci refuses a tarball whose integrity differs); scripts/axe.py checks the file's SHA-256 again.
set -eu
cd "$(dirname "$0")/.."
if [ -f node_modules/axe-core/axe.min.js ] && node -e "process.exit(require('./node_modules/axe-core/package.json').version === '4.14.1' ? 0 : 1)"; then
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "npm is needed for the accessibility tests (Debian: apt-get install npm)" >&2; exit 1; }
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
