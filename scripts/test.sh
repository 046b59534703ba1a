#!/usr/bin/env bash
# One command: install what is missing, check the code (scripts/lint.sh), build, and run every test with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/lint.sh
scripts/build.sh
cd build
# The Debian package's check builds a Release build of its own: run it with `ctest -L package`.
ctest --output-on-failure -j "$(nproc)" --timeout 600 -LE package "$@"
