#!/usr/bin/env bash
# One command: install what is missing, build, and start petitiond at http://127.0.0.1:8080
# with its embedded PostgreSQL (under ./var) and the demo data. Extra arguments go to petitiond.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh

data_dir=${PETITIOND_DATA_DIR:-$PWD/var}
# As root, PostgreSQL runs as the 'postgres' account, which must be able to reach the data directory.
# A checkout under a private home (e.g. /root) is not reachable: keep the data in /var/lib instead.
if [ "$(id -u)" -eq 0 ] && [ -z "${PETITIOND_DATA_DIR:-}" ] && ! runuser -u postgres -- test -x "$PWD" 2>/dev/null; then
  data_dir=/var/lib/petitiond-demo
  echo "run: $PWD is private to root; the demo database goes to $data_dir"
fi
exec build/server/petitiond --listen 127.0.0.1:8080 --data-dir "$data_dir" --demo --web-root "$PWD/web-admin/dist" "$@"
