#!/usr/bin/env bash
# Installs what Tessera needs on a fresh Debian machine with Node 20: nats-server, chromium (the web
# UI's end-to-end test drives it) and bubblewrap (the agent's filesystem/linux isolator) from
# Debian's packages when they are missing, then the npm dependencies, then a build.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || missing+=(nats-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
# The fetcher extracts .zip with unzip, and .tar.bz2/.tar.xz through tar's bzip2 and xz; the
# fetcher's tests build zip archives with zip.
command -v unzip >/dev/null 2>&1 || missing+=(unzip)
command -v zip >/dev/null 2>&1 || missing+=(zip)
command -v bzip2 >/dev/null 2>&1 || missing+=(bzip2)
command -v xz >/dev/null 2>&1 || missing+=(xz-utils)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]} (Debian packages)"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "Tessera needs Node 20 or later; this is $(node --version)" >&2
  exit 1
fi

npm ci --no-audit --no-fund
npm run build
