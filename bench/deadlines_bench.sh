#!/usr/bin/env bash
# Deadline benchmark. petitiond on its embedded PostgreSQL with the demo district and its deadline scheduler
# (default 1 s interval, woken early by NOTIFY):
#  1. CLOCKS (default 1,000,000) open petitions with running clocks and unfired escalation points
#     (bench/deadline_data.sql); WINDOW (10,000) of them fall due evenly over WINDOW_SECONDS (60 s);
#  2. first with the server otherwise idle, then again while wrk registers petitions over HTTP (16
#     connections): how late each breach fired after its deadline (p50, p99, max), whether every one fired
#     exactly once, and petitiond's memory (RSS) before and after, against an empty server's;
#  3. the ratio loaded / idle.
# Prints a Markdown report: `bench/deadlines_bench.sh | tee bench/results/deadlines-$(date +%F).md`.
# Not a test. Needs a build (scripts/build.sh) and wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
clocks=${CLOCKS:-1000000}
window=${WINDOW:-10000}
window_seconds=${WINDOW_SECONDS:-60}
port=${PORT:-18184}
data_dir=$(mktemp -d /tmp/petitiond-deadlines-XXXXXX)
chmod 755 "$data_dir"
log=$data_dir/petitiond.log
work=$(mktemp -d /tmp/petitiond-deadlines-work-XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && { kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true; }; rm -rf "$data_dir" "$work"; }
trap cleanup EXIT

build/server/petitiond --demo --data-dir "$data_dir" --listen 127.0.0.1:$port --threads 2 \
  --log-level "${LOG_LEVEL:-warn}" >>"$log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
as=()
[ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
psql() { "${as[@]}" "$pgbin/psql" -h "$data_dir/postgres/run" -U petitiond -d petitiond -v ON_ERROR_STOP=1 -q "$@"; }
rss() { awk '/VmRSS/{print $2}' /proc/$pid/status; }
empty_rss=$(rss)

intake=$(psql -At -c "SELECT id FROM units WHERE code = 'QS-CL-RX'")
petitioner=$(psql -At -c "INSERT INTO petitioners (name) VALUES ('基准') RETURNING id")
window_start=$(( $(date +%s) + 60 + clocks / 20000 ))  # after the load
started=$(date +%s)
psql -v count="$clocks" -v window="$window" -v window_seconds="$window_seconds" -v window_start="$window_start" \
  -v intake="$intake" -v petitioner="$petitioner" -f bench/deadline_data.sql >/dev/null
psql -c "ANALYZE" >/dev/null
load_seconds=$(( $(date +%s) - started ))
loaded_rss=$(rss)

curl -s -c "$work/admin" -H 'Content-Type: application/json' -d '{"login":"admin","password":"12385-demo"}' \
  "http://127.0.0.1:$port/api/v1/auth/login" >"$work/login.json"
csrf=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf_token"])' "$work/login.json")
operator=$(curl -s -b "$work/admin" "http://127.0.0.1:$port/api/v1/users" |
  python3 -c 'import json,sys; print([u["id"] for u in json.load(sys.stdin)["users"] if u["login"] == "hotline1"][0])')
token=$(curl -s -b "$work/admin" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  -d "{\"name\":\"bench\",\"user_id\":$operator,\"scopes\":[\"read\",\"write\"]}" "http://127.0.0.1:$port/api/v1/tokens" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# Lateness of the window's breaches (ms): p50, p99, max; fired; fired twice (events per point).
lateness() {  # first-id last-id
  psql -At -F ' ' -c "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY late)::numeric, 1),
      round(percentile_cont(0.99) WITHIN GROUP (ORDER BY late)::numeric, 1), round(max(late)::numeric, 1), count(*)
    FROM (SELECT extract(epoch FROM fired_at - due_at) * 1000 AS late FROM escalation_points
          WHERE petition_id BETWEEN $1 AND $2 AND fired_at IS NOT NULL) l"
}
events() {  # first-id last-id
  psql -At -c "SELECT count(*) FROM petition_events WHERE action = 'escalation' AND petition_id BETWEEN $1 AND $2"
}
wait_until() { while [ "$(date +%s)" -lt "$1" ]; do sleep 0.5; done; }

half=$(( window / 2 ))
# Idle: the first half of the window falls due with nothing else running.
wait_until $(( window_start + window_seconds / 2 + 3 ))
idle=$(lateness 1 $half)
idle_events=$(events 1 $half)
# Loaded: the second half falls due while wrk registers petitions.
wrk_output=$(TOKEN="$token" wrk -t2 -c16 -d"$(( window_seconds / 2 + 5 ))s" --latency -s bench/intake.lua \
  "http://127.0.0.1:$port" 2>&1 || true)
wrk_line=$(grep '^RESULT' <<<"$wrk_output" || true)
wrk_problem=$(grep -m1 'unexpected status' <<<"$wrk_output" || true)
wait_until $(( window_start + window_seconds + 3 ))
loaded=$(lateness $(( half + 1 )) "$window")
loaded_events=$(events $(( half + 1 )) "$window")
peak_rss=$(awk '/VmHWM/{print $2}' /proc/$pid/status)
field() { sed -E "s/.*$2=([0-9.]+).*/\1/" <<<"$1"; }
read -r idle_p50 idle_p99 idle_max idle_fired <<<"$idle"
read -r loaded_p50 loaded_p99 loaded_max loaded_fired <<<"$loaded"

echo "# Deadline benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- command: \`bench/deadlines_bench.sh\` (CLOCKS=$clocks, WINDOW=$window breaches over ${window_seconds}s; petitiond --threads 2, scheduler interval 1 s)"
echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem/{print $2}') GiB; wrk, petitiond and PostgreSQL on the same machine"
echo "- petitiond $(git rev-parse --short HEAD 2>/dev/null || echo "(no git checkout)"), $(grep -E 'CMAKE_BUILD_TYPE:' build/CMakeCache.txt | cut -d= -f2) build; PostgreSQL $(psql -At -c 'SHOW server_version')"
echo "- data: $clocks open petitions, each with a running handling clock and an unfired escalation point, generated in ${load_seconds}s"
echo "- lateness is fired_at − due_at: fired_at is the moment the scheduler's pass that fired the point began"
echo
echo "| | breaches due | fired | timeline events | p50 ms late | p99 ms late | max ms late |"
echo "|---|---|---|---|---|---|---|"
echo "| idle server | $half | $idle_fired | $idle_events | $idle_p50 | $idle_p99 | $idle_max |"
echo "| during intake load | $(( window - half )) | $loaded_fired | $loaded_events | $loaded_p50 | $loaded_p99 | $loaded_max |"
echo
echo "- intake during the loaded half (wrk -t2 -c16, ~500-character petitions): $(field "$wrk_line" rps) petitions/s, p99 $(field "$wrk_line" p99_ms) ms, errors $(field "$wrk_line" errors)${wrk_problem:+ (first: $wrk_problem)}"
echo "- ratio p99 lateness loaded / idle: $(awk "BEGIN{printf \"%.2f\", $loaded_p99 / ($idle_p99 > 0 ? $idle_p99 : 1)}")"
echo "- petitiond RSS: empty $empty_rss kB; with $clocks running clocks $loaded_rss kB; peak over the run $peak_rss kB (ratio loaded / empty $(awk "BEGIN{printf \"%.2f\", $loaded_rss / $empty_rss}")) — no timer or row per petition is kept in memory"
