#!/usr/bin/env bash
# One command: install what is missing, check the code (scripts/lint.sh), build, and run every test with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/lint.sh
scripts/build.sh
cd build
# Outside the default run: the Debian package's check, which makes a Release build of its own (`ctest -L
# package`); the failover on Patroni, which needs patroni, etcd and haproxy (`ctest -L ha`; deploy/ha/); the
# previous release on the new schema, which builds that release (`ctest -L upgrade`).
ctest --output-on-failure -j "$(nproc)" --timeout 600 -LE 'package|ha|upgrade' "$@"
