#!/usr/bin/env bash
# One command: install what is missing, build, and start petitiond at http://127.0.0.1:8080
# with its embedded PostgreSQL (under ./var) and the demo data. Extra arguments go to petitiond.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec build/server/petitiond --listen 127.0.0.1:8080 --data-dir "${PETITIOND_DATA_DIR:-$PWD/var}" --demo "$@"
