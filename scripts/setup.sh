#!/usr/bin/env bash
# Installs what petitiond needs to build, run and test, and only what is missing (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config clang-format git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-program-options1.81-dev
  libpq-dev postgresql-15 postgresql-contrib
  libspdlog-dev libfmt-dev catch2 libsodium-dev libyaml-cpp-dev libssl-dev openssl
  libxlsxwriter-dev libxapian-dev python3-openpyxl libcurl4-openssl-dev python3-aiosmtpd
  wrk curl chromium fonts-wqy-microhei
)
# Node.js and npm build the web app; a machine that already has them (any packaging) keeps its own.
command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The web app's packages, exactly as package-lock.json says; again only when the lock file changed.
if [ ! -f web-admin/node_modules/.package-lock.json ] || [ web-admin/package-lock.json -nt web-admin/node_modules/.package-lock.json ]; then
  (cd web-admin && npm ci --no-audit --no-fund)
fi

# Debian starts a system-wide cluster on install; petitiond runs its own private one and needs none.
if [ "$(id -u)" -eq 0 ] && command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q online; then
  pg_ctlcluster 15 main stop 2>/dev/null || true
fi
