#!/usr/bin/env bash
# Report benchmark. petitiond on its embedded PostgreSQL with the demo district (~400 units):
#  1. a five-year history of PETITIONS (default 10,000,000) petitions and the report facts they produced,
#     generated as CSV files (bench/report_data.sql) and loaded into the real tables with COPY;
#  2. the rollups built from the loaded facts by rebuild_report_rollups(), a month at a time (the
#     scheduler's incremental fold is for facts as they happen: 12 k facts/s, see the 2 M results);
#  3. overdue now: the petitions classed by lateness and the tally brought up to date, as the scheduler's
#     passes would;
#  4. report latencies over HTTP (wrk, one connection): five-year summaries by unit, level, category,
#     channel, a ranking of every village, monthly and weekly trends, drill-downs, an XLSX export;
#  5. the baseline in the same run: the district's five-year totals summed straight from the facts (what
#     a report would cost without rollups); the ratio.
# Prints a Markdown report: `bench/reports_bench.sh | tee bench/results/reports-$(date +%F).md`.
# DATA_DIR=dir keeps the server's data directory: a later run with the same DATA_DIR (and perhaps a newer
# build, whose migrations then run on the loaded history) skips steps 1 and 2 and measures again.
# Not a test. Needs a build (scripts/build.sh) and wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-10}
petitions=${PETITIONS:-10000000}
open_share=${OPEN:-0.01}  # the share of petitions still open (half of them overdue)
port=${PORT:-18183}
data_dir=${DATA_DIR:-}
keep=${DATA_DIR:+1}
[ -n "$data_dir" ] || data_dir=$(mktemp -d /tmp/petitiond-reports-XXXXXX)
mkdir -p "$data_dir"
chmod 755 "$data_dir"
loaded=$data_dir/bench-loaded  # the figures of steps 1 and 2, once they are done
log=$data_dir/petitiond.log
work=$(mktemp -d /tmp/petitiond-reports-work-XXXXXX)
chmod 777 "$work"  # psql runs as postgres when this script runs as root
pid=
cleanup() { [ -n "$pid" ] && { kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true; }; rm -rf "$work"; [ -n "$keep" ] || rm -rf "$data_dir"; }
trap cleanup EXIT

# No deadline scheduler: this run folds the facts itself, in large batches.
build/server/petitiond --demo --data-dir "$data_dir" --listen 127.0.0.1:$port --threads 2 --scheduler-interval 0 \
  --log-level "${LOG_LEVEL:-warn}" >>"$log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
as=()
[ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
psql() { "${as[@]}" "$pgbin/psql" -h "$data_dir/postgres/run" -U petitiond -d petitiond -v ON_ERROR_STOP=1 -q "$@"; }
seconds_since() { echo $(( $(date +%s) - $1 )); }

if [ -f "$loaded" ]; then
  # shellcheck disable=SC1090
  . "$loaded"
  reused=" (loaded by an earlier run on $loaded_at, the rollups then brought up to this build's migrations)"
else
  started=$(date +%s)
  intake=$(psql -At -c "SELECT id FROM units WHERE code = 'QS-CL-RX'")
  petitioner=$(psql -At -c "INSERT INTO petitioners (name) VALUES ('基准') RETURNING id")
  psql -v count="$petitions" -v open="$open_share" -v years=5 -v intake="$intake" -v petitioner="$petitioner" \
    -v petitions_file="$work/petitions.csv" -v facts_file="$work/facts.csv" -c "SET work_mem = '1GB'" \
    -f bench/report_data.sql >/dev/null
  generate_seconds=$(seconds_since "$started")
  files_size=$(du -ch "$work"/*.csv | tail -1 | cut -f1)

  started=$(date +%s)
  psql -c "\\copy petitions (id, tracking_code, channel, workflow, workflow_version, type, category, urgency, subject, content, state, petitioner_id, intake_unit_id, responsible_unit_id, due_at, warn_at, received_at, updated_at) FROM '$work/petitions.csv' WITH (FORMAT csv)"
  psql -c "SELECT setval(pg_get_serial_sequence('petitions', 'id'), (SELECT max(id) FROM petitions))" >/dev/null
  psql -c "\\copy report_facts (petition_id, at, day, unit_id, unit_path, level, category, channel, measure, on_time, value, bucket) FROM '$work/facts.csv' WITH (FORMAT csv)"
  load_seconds=$(seconds_since "$started")
  rm -f "$work"/*.csv
  facts=$(psql -At -c "SELECT count(*) FROM report_facts")

  started=$(date +%s)
  psql -c "SET work_mem = '512MB'" -c "SELECT rebuild_report_rollups()" >/dev/null
  fold_seconds=$(seconds_since "$started")
  psql -c "VACUUM ANALYZE" >/dev/null
  rollups=$(psql -At -c "SELECT count(*) FROM report_rollups")
  declare -p generate_seconds files_size load_seconds facts fold_seconds rollups petitions > "$loaded"
  echo "loaded_at='$(date -u '+%Y-%m-%d %H:%M UTC')'" >> "$loaded"
  reused=
fi
# Overdue now: this run has no scheduler, so the petitions are classed by lateness and the changes added into
# the tally here, as a scheduler's passes would (at once for a fresh load; for a reused one, what time moved).
started=$(date +%s%N)
classed=$(psql -At -c "SELECT reclass_overdue(now(), 2000000000)")
tallied=$(psql -At -c "SELECT fold_overdue_changes(2000000000)")
tally_ms=$(( ($(date +%s%N) - started) / 1000000 ))
rollups=$(psql -At -c "SELECT count(*) FROM report_rollups")
size=$(psql -At -c "SELECT pg_size_pretty(pg_database_size('petitiond'))")

curl -s -c "$work/admin" -H 'Content-Type: application/json' -d '{"login":"admin","password":"12385-demo"}' \
  "http://127.0.0.1:$port/api/v1/auth/login" >"$work/login.json"
csrf=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf_token"])' "$work/login.json")
manager=$(curl -s -b "$work/admin" "http://127.0.0.1:$port/api/v1/users" |
  python3 -c 'import json,sys; print([u["id"] for u in json.load(sys.stdin)["users"] if u["login"] == "district.manager"][0])')
token=$(curl -s -b "$work/admin" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  -d "{\"name\":\"bench\",\"user_id\":$manager,\"scopes\":[\"read\"]}" "http://127.0.0.1:$port/api/v1/tokens" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

today=$(date -u -d '+8 hours' +%F)
five_years_ago=$(date -u -d '+8 hours -5 years +1 day' +%F)
year_ago=$(date -u -d '+8 hours -1 year +1 day' +%F)
period="from=$five_years_ago&to=$today"
field() { sed -E "s/.*$2=([0-9.]+).*/\1/" <<<"$1"; }
measure() {  # name target
  TARGET="$2" TOKEN="$token" wrk -t1 -c1 -d2s -s bench/report_queries.lua "http://127.0.0.1:$port" >/dev/null 2>&1  # warm
  local line
  line=$(TARGET="$2" TOKEN="$token" wrk -t1 -c1 -d"${duration}s" --latency -s bench/report_queries.lua \
    "http://127.0.0.1:$port" 2>&1 | grep '^RESULT')
  echo "| $1 | $(field "$line" rps) | $(field "$line" p50_ms) | $(field "$line" p99_ms) | $(field "$line" max_ms) | $(field "$line" errors) |"
}

echo "# Report benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- command: \`bench/reports_bench.sh\` (PETITIONS=$petitions, OPEN=$open_share, DURATION=${duration}s per query, wrk -t1 -c1)"
echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem/{print $2}') GiB; wrk, petitiond and PostgreSQL on the same machine"
echo "- petitiond $(git rev-parse --short HEAD 2>/dev/null || echo "(no git checkout)"), $(grep -E 'CMAKE_BUILD_TYPE:' build/CMakeCache.txt | cut -d= -f2) build; PostgreSQL $(psql -At -c 'SHOW server_version'), shared_buffers $(psql -At -c 'SHOW shared_buffers')"
echo "- data: $petitions petitions over five years ($five_years_ago to $today) and $facts report facts, generated as $files_size of CSV in ${generate_seconds}s, loaded with COPY in ${load_seconds}s; rollups rebuilt from the facts in ${fold_seconds}s ($(awk "BEGIN{printf \"%.0f\", $facts / ($fold_seconds + 0.5)}") facts/s)$reused, $rollups rollup rows now; database $size"
echo "- overdue now: $classed petitions classed by lateness and $tallied changes added into the tally in ${tally_ms} ms; $(psql -At -c "SELECT count(*) FROM overdue_tally WHERE n > 0") tally rows"
echo
echo "## Report latency over five years and $petitions petitions (HTTP, one connection)"
echo
echo "| report | requests/s | p50 ms | p99 ms | max ms | errors |"
echo "|---|---|---|---|---|---|"
measure "summary by unit (district: its departments and towns, each a subtree roll-up, with overdue now)" "/api/v1/reports/summary?$period"
measure "summary by level" "/api/v1/reports/summary?$period&group_by=level"
measure "summary by category" "/api/v1/reports/summary?$period&group_by=category"
measure "summary by channel" "/api/v1/reports/summary?$period&group_by=channel"
measure "ranking of every village by on-time rate" "/api/v1/reports/summary?$period&group_by=unit&level=village&sort=on_time_rate"
measure "one town's villages" "/api/v1/reports/summary?$period&unit=QS-T05"
measure "trend by month, five years" "/api/v1/reports/trend?$period&interval=month"
measure "trend by week, one year" "/api/v1/reports/trend?from=$year_ago&to=$today&interval=week"
measure "trend by month of one category" "/api/v1/reports/trend?$period&interval=month&dimension=category&value=housing"
measure "drill-down: replies late, first page" "/api/v1/reports/petitions?$period&measure=replied_late"
measure "drill-down: overdue now, first page" "/api/v1/reports/petitions?$period&measure=overdue_now"
measure "village ranking as XLSX" "/api/v1/reports/summary?$period&group_by=unit&level=village&sort=on_time_rate&format=xlsx"

# Baseline: the district's five-year totals straight from the facts, best of three.
best=
for _ in 1 2 3; do
  ms=$(psql -At -c "\\timing on" -c "SELECT count(*) FILTER (WHERE measure = 'received'), count(*) FILTER (WHERE measure = 'replied' AND on_time), count(*) FILTER (WHERE measure = 'replied'), sum(value) FILTER (WHERE measure = 'replied') FROM report_facts WHERE day BETWEEN '$five_years_ago' AND '$today'" |
    sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p')
  if [ -z "$best" ] || awk "BEGIN{exit !($ms < $best)}"; then best=$ms; fi
done
line=$(TARGET="/api/v1/reports/summary?$period&group_by=level" TOKEN="$token" wrk -t1 -c1 -d"${duration}s" --latency \
  -s bench/report_queries.lua "http://127.0.0.1:$port" 2>&1 | grep '^RESULT')
p50=$(field "$line" p50_ms)
echo
echo "## Baseline in the same run"
echo
echo "- four of the district's five-year totals summed straight from the $facts facts (SQL, best of three): ${best} ms"
echo "- the whole report by level (every figure, with overdue now) from the rollups over HTTP: p50 ${p50} ms"
echo "- ratio rollups / straight sum: $(awk "BEGIN{printf \"%.4f\", $p50 / $best}")"
echo
echo "petitiond peak RSS: $(awk '/VmHWM/{print $2, $3}' /proc/$pid/status)"
