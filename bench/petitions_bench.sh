#!/usr/bin/env bash
# Petition benchmark. petitiond on its embedded PostgreSQL (synchronous_commit=on) with the demo district:
#  1. a data set of PETITIONS (default 1,000,000) petitions from 300,000 callers, loaded with COPY
#     (bench/generate_petitions.py);
#  2. reads over it with wrk: a caller's history, one town's overdue petitions by deadline, Chinese text
#     search — p50/p99;
#  3. sustained intake over HTTP (POST /api/v1/petitions, ~500 Chinese characters each, a new caller and
#     Idempotency-Key per request) at 16 and 64 connections, into that same table;
#  4. the baseline in the same run: pgbench writing the same rows (petitioner, petition, timeline event,
#     clock, outbox message, idempotency key) in one transaction per petition, 16 clients; the ratio.
# Prints a Markdown report: `bench/petitions_bench.sh | tee bench/results/petitions-$(date +%F).md`.
# Not a test. Needs a build (scripts/build.sh), wrk and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-20}
petitions=${PETITIONS:-1000000}
petitioners=${PETITIONERS:-300000}
threads=${THREADS:-2}
port=${PORT:-18182}
data_dir=$(mktemp -d /tmp/petitiond-bench-XXXXXX)
chmod 755 "$data_dir"
log=$data_dir/petitiond.log
work=$(mktemp -d /tmp/petitiond-bench-work-XXXXXX)
chmod 755 "$work"
pid=
cleanup() { [ -n "$pid" ] && { kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true; }; rm -rf "$data_dir" "$work"; }
trap cleanup EXIT

start_server() {
  build/server/petitiond --demo --demo-days 0 --data-dir "$data_dir" --listen 127.0.0.1:$port --threads "$threads" \
    --log-level "${LOG_LEVEL:-warn}" >>"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return; sleep 0.1; done
  echo "petitiond did not start; see $log" >&2; exit 1
}
as=()
[ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
psql() { "${as[@]}" "$pgbin/psql" -h "$data_dir/postgres/run" -U petitiond -d petitiond -v ON_ERROR_STOP=1 -q "$@"; }

start_server
elapsed() { local start=$1; echo $(( $(date +%s) - start )); }

# 1. The data set.
load_started=$(date +%s)
psql -At -F $'\t' -c "SELECT id, kind, nlevel(path) FROM units" >"$work/units.tsv"
intake_unit=$(psql -At -c "SELECT id FROM units WHERE code = 'QS-CL-RX'")
psql -c "DROP INDEX petitions_search"
python3 bench/generate_petitions.py petitioners "$petitioners" >"$work/petitioners.copy"
python3 bench/generate_petitions.py petitions "$petitions" "$petitioners" "$work/units.tsv" "$intake_unit" >"$work/petitions.copy"
chmod 644 "$work"/*.copy
psql -c "\\copy petitioners ($(python3 bench/generate_petitions.py columns petitioners)) FROM '$work/petitioners.copy'"
psql -c "\\copy petitions ($(python3 bench/generate_petitions.py columns petitions)) FROM '$work/petitions.copy'"
psql -c "CREATE INDEX petitions_search ON petitions USING gin (search_bigrams)"
psql -c "SELECT setval(pg_get_serial_sequence('petitioners', 'id'), (SELECT max(id) FROM petitioners));
         SELECT setval(pg_get_serial_sequence('petitions', 'id'), (SELECT max(id) FROM petitions)); ANALYZE" >/dev/null
load_seconds=$(elapsed "$load_started")
rm -f "$work"/*.copy
size=$(psql -At -c "SELECT pg_size_pretty(pg_database_size('petitiond'))")

# API tokens: an operator's (intake, caller history) and the district manager's (lists).
curl -s -c "$work/admin" -H 'Content-Type: application/json' -d '{"login":"admin","password":"12385-demo"}' \
  "http://127.0.0.1:$port/api/v1/auth/login" >"$work/login.json"
csrf=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf_token"])' "$work/login.json")
token_for() {  # login scopes-json
  local id
  id=$(curl -s -b "$work/admin" "http://127.0.0.1:$port/api/v1/users" |
    python3 -c 'import json,sys; print([u["id"] for u in json.load(sys.stdin)["users"] if u["login"] == sys.argv[1]][0])' "$1")
  curl -s -b "$work/admin" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    -d "{\"name\":\"bench\",\"user_id\":$id,\"scopes\":$2}" "http://127.0.0.1:$port/api/v1/tokens" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
operator_token=$(token_for hotline1 '["read","write"]')
manager_token=$(token_for district.manager '["read"]')

run_wrk() {  # connections script [env...]
  local c=$1 script=$2 threads=2
  shift 2
  [ "$c" -eq 1 ] && threads=1
  env "$@" wrk -t$threads -c"$c" -d"${duration}s" --latency -s "$script" "http://127.0.0.1:$port" 2>&1 | grep '^RESULT'
}
field() { sed -E "s/.*$2=([0-9.]+).*/\1/" <<<"$1"; }

echo "# Petition benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- command: \`bench/petitions_bench.sh\` (DURATION=${duration}s per run, PETITIONS=$petitions, PETITIONERS=$petitioners, petitiond --threads $threads, wrk -t2, log level ${LOG_LEVEL:-warn})"
echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem/{print $2}') GiB; wrk, petitiond and PostgreSQL on the same machine"
echo "- petitiond $(git rev-parse --short HEAD 2>/dev/null || echo "(no git checkout)"), $(grep -E 'CMAKE_BUILD_TYPE:' build/CMakeCache.txt | cut -d= -f2) build; PostgreSQL $(psql -At -c 'SHOW server_version'), synchronous_commit=$(psql -At -c 'SHOW synchronous_commit')"
echo "- data set: $petitions petitions from $petitioners callers loaded with COPY in ${load_seconds}s (generation, load, search index, analyze); database $size; generated content is short (four stock phrases, ~60 characters), so text search over it is cheaper than over real 500-character petitions"
echo "- PostgreSQL: shared_buffers $(psql -At -c 'SHOW shared_buffers') (the embedded default: an eighth of memory, at most 2 GB); reads measured after a warm-up run of each query"
echo
# Warm the caches as a server in service has them (a fresh start has empty shared buffers).
for q in history list search; do
  token=$operator_token
  [ "$q" = history ] || token=$manager_token
  run_wrk 4 bench/queries.lua TOKEN="$token" QUERY=$q PETITIONERS="$petitioners" >/dev/null
done

echo "## Reads at $petitions petitions"
echo
echo "| query | connections | requests/s | p50 ms | p99 ms | max ms | errors |"
echo "|---|---|---|---|---|---|---|"
for q in history list search; do
  token=$operator_token
  [ "$q" = history ] || token=$manager_token
  for c in 1 16; do
    line=$(run_wrk $c bench/queries.lua TOKEN="$token" QUERY=$q PETITIONERS="$petitioners")
    echo "| $q | $c | $(field "$line" rps) | $(field "$line" p50_ms) | $(field "$line" p99_ms) | $(field "$line" max_ms) | $(field "$line" errors) |"
  done
done
echo
echo "One connection measures each request's own latency; sixteen measure throughput on 2 cores shared by wrk, petitiond and PostgreSQL, where latency is mostly queueing."
echo
echo "history: \`GET /api/v1/caller-history?phone=…\` for a random existing caller (operator). list: \`GET /api/v1/petitions?unit=QS-Tnn&deadline=overdue&sort=deadline&limit=50\` for a random town (district manager, with the total). search: \`GET /api/v1/petitions?q=…\` for one of six two-character words (district manager, newest first, with the total up to 200)."

echo
echo "## Intake over HTTP"
echo
echo "| connections | petitions/s | p50 ms | p99 ms | max ms | errors |"
echo "|---|---|---|---|---|---|"
declare -A rps
for c in 16 64; do
  before=$(psql -At -c "SELECT count(*) FROM petitions")
  line=$(run_wrk $c bench/intake.lua TOKEN="$operator_token")
  after=$(psql -At -c "SELECT count(*) FROM petitions")
  rps[$c]=$(field "$line" rps)
  echo "| $c | $(field "$line" rps) | $(field "$line" p50_ms) | $(field "$line" p99_ms) | $(field "$line" max_ms) | $(field "$line" errors) |"
  echo "$c connections: $((after - before)) petitions stored for $(field "$line" requests) requests" >>"$work/counts"
done
echo
sed 's/^/- /' "$work/counts"
peak=$(awk '/VmHWM/{print $2, $3}' /proc/$pid/status)
echo "- peak RSS of petitiond over the whole run (VmHWM): $peak"

# 4. Baseline: the same rows, one transaction per petition, straight to PostgreSQL.
python3 - "$work/intake.sql" <<'PY'
import re, sys
sys.path.insert(0, "bench")
from generate_petitions import bigrams
lua = open("bench/intake.lua", encoding="utf-8").read()
parts = re.findall(r'"([^"]*)"', lua.split("local paragraph =")[1].split("local threads")[0])
paragraph = "".join(parts[:3])
content = paragraph * 3 + "恳请有关部门尽快核实情况，补发拖欠的补贴，并告知今后的办理流程。谢谢！"
subject = "生活补贴和护理补贴未按时发放"
terms = "{" + ",".join('"%s"' % t for t in bigrams(subject + "\n" + content)) + "}"
sql = f"""\\set phone random(1500000000, 1599999999)
BEGIN;
INSERT INTO petitioners (name, gender, phone, phone_key, address) VALUES ('测试来电人', 'male', :phone, :phone, '宝场镇乐湾村三组');
INSERT INTO petitions (tracking_code, channel, workflow, workflow_version, type, category, urgency, subject, content, state,
  petitioner_id, intake_unit_id, due_at, warn_at, received_at, updated_at, search_bigrams, filed_by)
  VALUES ('20991231-' || lpad(upper(to_hex(currval(pg_get_serial_sequence('petitioners', 'id')))), 6, '0'), 'hotline', 'petition', 1,
  'help', 'subsidies', 'normal', '{subject}', '{content}', 'registered', currval(pg_get_serial_sequence('petitioners', 'id')),
  (SELECT id FROM units WHERE code = 'QS-CL-RX'), now() + interval '15 days', now() + interval '12 days', now(), now(), '{terms}',
  (SELECT id FROM users WHERE login = 'hotline1'));
INSERT INTO idempotency_keys (scope, key, request_hash, petition_id) VALUES ('bench', :client_id || '-' || currval(pg_get_serial_sequence('petitions', 'id')), 'x', currval(pg_get_serial_sequence('petitions', 'id')));
INSERT INTO petition_events (petition_id, at, actor_id, actor_name, action, to_state, fields) VALUES (currval(pg_get_serial_sequence('petitions', 'id')), now(), NULL, '热线话务员王芳', 'registered', 'registered', '{{"channel": "hotline"}}');
INSERT INTO petition_clocks (petition_id, seq, name, started_at, unit, amount, deadline, warn_at) VALUES (currval(pg_get_serial_sequence('petitions', 'id')), 0, 'acceptance_notice', now(), 'calendar_days', 15, now() + interval '15 days', now() + interval '12 days');
INSERT INTO outbox (petition_id, audience, topic, payload) VALUES (currval(pg_get_serial_sequence('petitions', 'id')), 'petitioner', 'registered', '{{"state": "registered"}}');
COMMIT;
"""
open(sys.argv[1], "w", encoding="utf-8").write(sql)
PY
chmod 644 "$work/intake.sql"
base=$("${as[@]}" "$pgbin/pgbench" -h "$data_dir/postgres/run" -U petitiond -n -M prepared -c 16 -j 2 -T "$duration" \
  -f "$work/intake.sql" petitiond 2>&1 | sed -nE 's/^tps = ([0-9.]+).*/\1/p')
echo
echo "## Baseline in the same run"
echo
echo "pgbench, 16 clients, the same rows per petition (petitioner, petition with its search terms, idempotency key, timeline event, clock, outbox message) in one transaction, prepared, over the Unix socket: ${base%.*} transactions/s."
echo
echo "Ratio of HTTP intake at 16 connections to that baseline: $(awk -v a="${rps[16]}" -v b="$base" 'BEGIN{printf "%.2f", a/b}') (64 connections: $(awk -v a="${rps[64]}" -v b="$base" 'BEGIN{printf "%.2f", a/b}'))."
