#!/usr/bin/env bash
# Builds the Debian package (CPack, cmake/packaging.cmake) into build-package/: a Release build of petitiond
# without the tests, the web app, the systemd unit and the maintainer scripts. Prints the package's path.
# Install it with `apt install ./build-package/petitiond_*.deb` (README, "In production").
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# (GCC 12 at -O3 prints -Wrestrict warnings from inside std::string's operator+: GCC bug 105651, harmless.)
cmake -S . -B build-package -G Ninja -DCMAKE_BUILD_TYPE=Release -DPETITIOND_TESTS=OFF -DCPACK_STRIP_FILES=ON \
  "${launcher[@]}" >/dev/null
cmake --build build-package --target petitiond -j "$(nproc)"
(cd web-admin && npm run build --silent)
(cd build-package && cpack -G DEB >/dev/null)
ls "$PWD"/build-package/petitiond_*.deb
