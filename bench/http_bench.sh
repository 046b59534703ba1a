#!/usr/bin/env bash
# HTTP benchmark: wrk against GET /healthz (no database) and GET /readyz (one database round trip) at 1, 16
# and 256 connections, with petitiond on its embedded PostgreSQL. In the same run, pgbench sends the same
# query straight to PostgreSQL as the baseline the /readyz figures are compared with (ratio).
# Prints a Markdown report; `bench/http_bench.sh > bench/results/http-$(date +%F).md` records it.
# Not a test. Needs a build (scripts/build.sh) and wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-10}
port=${PORT:-18181}
data_dir=$(mktemp -d /tmp/petitiond-bench-XXXXXX)
chmod 755 "$data_dir"
log=$data_dir/petitiond.log
build/server/petitiond --data-dir "$data_dir" --listen 127.0.0.1:$port --log-level "${LOG_LEVEL:-info}" \
  ${POOL:+--db-pool-size $POOL} >"$log" 2>&1 &
pid=$!
cleanup() { kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true; rm -rf "$data_dir"; }
trap cleanup EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done

run_wrk() {  # path connections
  local threads=1
  wrk -t$threads -c"$2" -d"${duration}s" --latency -s bench/report.lua "http://127.0.0.1:$port$1" 2>&1 | grep '^RESULT'
}
field() { sed -E "s/.*$2=([0-9.]+).*/\1/" <<<"$1"; }

echo "# HTTP benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- command: \`bench/http_bench.sh\` (DURATION=${duration}s per run, wrk -t1, petitiond --threads 1, --db-pool-size ${POOL:-default ($(build/server/petitiond --help | grep -o 'db-pool-size arg (=[0-9]*)' | grep -o '[0-9]*'))}, log level ${LOG_LEVEL:-info} to a file)"
echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem/{print $2}') GiB; wrk and PostgreSQL on the same machine"
echo "- petitiond $(git rev-parse --short HEAD 2>/dev/null || echo "(no git checkout)"), $(grep -E 'CMAKE_BUILD_TYPE:' build/CMakeCache.txt | cut -d= -f2) build"
echo
echo "| endpoint | connections | requests/s | p50 ms | p99 ms | max ms | errors |"
echo "|---|---|---|---|---|---|---|"
declare -A rps
for path in /healthz /readyz; do
  for c in 1 16 256; do
    line=$(run_wrk $path $c)
    rps[$path$c]=$(field "$line" rps)
    echo "| \`GET $path\` | $c | $(field "$line" rps) | $(field "$line" p50_ms) | $(field "$line" p99_ms) | $(field "$line" max_ms) | $(field "$line" errors) |"
  done
done
peak=$(awk '/VmHWM/{print $2, $3}' /proc/$pid/status)
echo
echo "Peak RSS of petitiond over the whole run (VmHWM): $peak."

# Baseline: the same query straight to PostgreSQL over its Unix socket, 16 clients.
sql=$(mktemp)
chmod 644 "$sql"  # read by pgbench as the postgres account
echo "SELECT coalesce(max(version), 0) FROM schema_migrations;" >"$sql"
pgbench=$(ls -d /usr/lib/postgresql/*/bin/pgbench | sort -V | tail -1)
as=()
[ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
base=$("${as[@]}" "$pgbench" -h "$data_dir/postgres/run" -p 5432 -U petitiond -n -M prepared -c 16 -j 1 -T "$duration" \
  -f "$sql" petitiond 2>/dev/null | sed -nE 's/^tps = ([0-9.]+).*/\1/p')
rm -f "$sql"
echo
echo "Baseline in the same run: pgbench, 16 clients, the same query as /readyz (prepared, over the Unix socket): ${base%.*} transactions/s."
echo "Ratio /readyz over HTTP at 16 connections to that baseline: $(awk -v a="${rps[/readyz16]}" -v b="$base" 'BEGIN{printf "%.2f", a/b}')."
echo "Ratio /readyz to /healthz at 16 connections: $(awk -v a="${rps[/readyz16]}" -v b="${rps[/healthz16]}" 'BEGIN{printf "%.2f", a/b}')."
