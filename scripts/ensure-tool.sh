#!/bin/sh
# Make sure a system tool exists: ensure-tool.sh NAME APT_PACKAGE CANDIDATE...
# 1. The first candidate path that is executable is used (an empty candidate is skipped).
# 2. Else, as root with apt-get, install Debian's APT_PACKAGE.
# Exits 1 when neither works, so the caller can fall back (Chromium) or stop with a clear message.
set -eu
name="$1"; package="$2"; shift 2
for candidate in "$@"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then
    echo "$name: $candidate"
    exit 0
  fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "$name: installing Debian's $package with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$package"
  exit 0
fi
exit 1
