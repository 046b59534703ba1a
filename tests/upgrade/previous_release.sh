#!/usr/bin/env bash
# Runs the previous release's petitiond on a database this checkout's petitiond has migrated, as a rolling
# upgrade does while the second process still runs the old binary (docs/operations.md, "Upgrades without
# downtime"): the old binary must start, answer /readyz, register a petition and act on it; the new one reads it.
#   tests/upgrade/previous_release.sh NEW_PETITIOND [PREVIOUS_REVISION]
# PREVIOUS_REVISION defaults to the newest tag v* before HEAD, else the revision in tests/upgrade/previous; its
# petitiond is built in a worktree under build-previous/ (ccache makes a second build quick).
set -euo pipefail
cd "$(dirname "$0")/../.."
new=$(realpath "$1")
previous=${2:-$(git describe --tags --abbrev=0 --match 'v*' HEAD^ 2>/dev/null || cat tests/upgrade/previous)}
worktree=$PWD/build-previous/source
if [ ! -x build-previous/build/server/petitiond ] || [ "$(cat build-previous/revision 2>/dev/null)" != "$previous" ]; then
  rm -rf build-previous
  git worktree prune
  git worktree add --detach "$worktree" "$previous" >/dev/null
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S "$worktree" -B build-previous/build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPETITIOND_TESTS=OFF \
    "${launcher[@]}" >/dev/null
  cmake --build build-previous/build --target petitiond -j "$(nproc)" >/dev/null
  echo "$previous" > build-previous/revision
fi
old=$PWD/build-previous/build/server/petitiond

data=$(mktemp -d /tmp/petitiond-upgrade-XXXXXX)
chmod 0755 "$data"
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$data"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start() {  # binary
  "$1" --data-dir "$data/var" --listen "127.0.0.1:$port" --demo --demo-days 0 >>"$data/log" 2>&1 &
  server=$!
  for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0; kill -0 "$server" 2>/dev/null || break; sleep 0.2; done
  echo "FAIL: $1 did not become ready on the migrated database"; tail -20 "$data/log"; exit 1
}
stop() { kill "$server"; wait "$server" || true; server=; }
api() {  # method path [body]: as the demo operator; prints the answer
  curl -fs -b "$data/cookies" -H "X-CSRF-Token: $(cat "$data/csrf")" -H 'Content-Type: application/json' \
    -X "$1" "http://127.0.0.1:$port$2" ${3:+-d "$3"}
}
log_in() {
  curl -fs -c "$data/cookies" -H 'Content-Type: application/json' -d '{"login":"hotline1","password":"12385-demo"}' \
    "http://127.0.0.1:$port/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])' > "$data/csrf"
}

start "$new"  # this checkout migrates the database
stop
start "$old"  # the previous release runs on it
log_in
filed=$(api POST /api/v1/petitions '{"channel":"hotline","type":"help","category":"other","subject":"升级期间来电","content":"轮椅需要维修。","petitioner":{"name":"张三","phone":"13812345678","unit":"QS-T01-V01"}}')
id=$(echo "$filed" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
api POST "/api/v1/petitions/$id/actions/accept" '{"version":1}' >/dev/null
stop
start "$new"
log_in
state=$(api GET "/api/v1/petitions/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
[ "$state" = accepted ] || { echo "FAIL: the new release reads the old one's petition as '$state'"; exit 1; }
echo "ok: petitiond $previous ran on the schema of $(git rev-parse --short HEAD), registered and accepted a petition the new release reads"
