#!/bin/sh
# Make sure nginx exists for `make serve` and the tests that start it (a reverse proxy in front of replicas):
# one on the PATH (or /usr/sbin/nginx), else Debian's, installed as root (its own service is not started).
set -eu
here="$(dirname "$0")"
sh "$here/ensure-tool.sh" nginx nginx "${SIGNED_EXPLORER_NGINX:-}" "$(command -v nginx || true)" /usr/sbin/nginx && exit 0
echo "nginx: not found, and cannot install it (not root, or no apt-get); install nginx to use make serve" >&2
exit 1
