#!/usr/bin/env bash
# Configures and builds petitiond and its tests into ./build (Release with debug info by default), and the
# web app into web-admin/dist.
set -euo pipefail
cd "$(dirname "$0")/.."
build_type=${BUILD_TYPE:-RelWithDebInfo}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" -DPETITIOND_WERROR="${PETITIOND_WERROR:-$werror}" "${launcher[@]}" >/dev/null
cmake --build build -j "$(nproc)"
(cd web-admin && npm run build --silent)
