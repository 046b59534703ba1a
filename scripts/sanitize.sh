#!/usr/bin/env bash
# Builds the unit and database tests with AddressSanitizer and UndefinedBehaviorSanitizer into
# ./build-sanitize and runs them there (any report fails the test that caused it). Not part of .ci/run:
# a second full build doubles CI's time (see docs/architecture.md, "Checks").
set -euo pipefail
cd "$(dirname "$0")/.."
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPETITIOND_SANITIZE=ON "${launcher[@]}" >/dev/null
cmake --build build-sanitize -j "$(nproc)" --target unit_tests pg_tests test_cluster
cd build-sanitize
# Asio's coroutine frames are freed through its own allocator, which ASan's new/delete matching misreads.
export ASAN_OPTIONS=${ASAN_OPTIONS:-alloc_dealloc_mismatch=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --output-on-failure -j "$(nproc)" -R "unit_tests|pg_tests|pg_cluster" "$@"
