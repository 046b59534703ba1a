#!/usr/bin/env bash
# Intake benchmark (issue 23, point 8). petitiond on its embedded PostgreSQL (synchronous_commit=on), demo
# district, no history:
#  1. HTTP intake (POST /api/v1/petitions, ~500 Chinese characters, a new caller and Idempotency-Key each, an
#     operator's API token) at 16 connections: petitions/s, p50/p99/max;
#  2. the baseline in the same run: pgbench inserting one row per transaction into a table with a bigint key
#     and a text column, 16 clients, prepared, over the Unix socket — a raw durable single-row insert;
#  3. where the time goes: a second intake run with every statement logged (log_min_duration_statement = 0),
#     summed by statement, per petition.
# Prints Markdown: `bench/intake_bench.sh | tee bench/results/intake-$(date +%F).md`. Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-20}
connections=${CONNECTIONS:-16}
port=${PORT:-18184}
data_dir=$(mktemp -d /tmp/petitiond-intake-XXXXXX)
chmod 755 "$data_dir"
work=$(mktemp -d /tmp/petitiond-intake-work-XXXXXX)
chmod 777 "$work"
pid=
cleanup() { [ -n "$pid" ] && { kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true; }; rm -rf "$data_dir" "$work"; }
trap cleanup EXIT

build/server/petitiond --demo --demo-days 0 --data-dir "$data_dir" --listen 127.0.0.1:$port --threads 2 \
  --log-level warn >>"$data_dir/petitiond.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
as=()
[ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
psql() { "${as[@]}" "$pgbin/psql" -h "$data_dir/postgres/run" -U petitiond -d petitiond -v ON_ERROR_STOP=1 -q "$@"; }

curl -s -c "$work/admin" -H 'Content-Type: application/json' -d '{"login":"admin","password":"12385-demo"}' \
  "http://127.0.0.1:$port/api/v1/auth/login" >"$work/login.json"
csrf=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf_token"])' "$work/login.json")
user=$(curl -s -b "$work/admin" "http://127.0.0.1:$port/api/v1/users?limit=500" |
  python3 -c 'import json,sys; print([u["id"] for u in json.load(sys.stdin)["users"] if u["login"] == "hotline1"][0])')
token=$(curl -s -b "$work/admin" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  -d "{\"name\":\"bench\",\"user_id\":$user,\"scopes\":[\"read\",\"write\"]}" "http://127.0.0.1:$port/api/v1/tokens" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

intake() {  # seconds
  TOKEN="$token" wrk -t2 -c"$connections" -d"$1s" --latency -s bench/intake.lua "http://127.0.0.1:$port" 2>&1 | grep '^RESULT'
}
field() { sed -E "s/.*$2=([0-9.]+).*/\1/" <<<"$1"; }

intake 5 >/dev/null  # warm-up
before=$(psql -At -c "SELECT count(*) FROM petitions")
line=$(intake "$duration")
stored=$(( $(psql -At -c "SELECT count(*) FROM petitions") - before ))

psql -c "CREATE TABLE bench_raw_insert (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text NOT NULL)"
echo "INSERT INTO bench_raw_insert (body) VALUES ('一行');" >"$work/raw.sql"
chmod 644 "$work/raw.sql"
raw=$("${as[@]}" "$pgbin/pgbench" -h "$data_dir/postgres/run" -U petitiond -n -M prepared -c "$connections" -j 2 \
  -T "$duration" -f "$work/raw.sql" petitiond 2>&1 | sed -nE 's/^tps = ([0-9.]+).*/\1/p')

# Where the time goes: every statement of a short run, logged with its duration.
log_file=$data_dir/postgres/postgres.log
psql -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
sleep 1
log_from=$(stat -c %s "$log_file")
logged_before=$(psql -At -c "SELECT count(*) FROM petitions")
intake 10 >/dev/null
logged=$(( $(psql -At -c "SELECT count(*) FROM petitions") - logged_before ))
psql -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null
tail -c +"$((log_from + 1))" "$log_file" >"$work/statements.log"

echo "# Intake benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- command: \`bench/intake_bench.sh\` (DURATION=${duration}s, CONNECTIONS=$connections, petitiond --threads 2, wrk -t2)"
echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem/{print $2}') GiB; wrk, petitiond and PostgreSQL on the same machine"
echo "- petitiond $(git rev-parse --short HEAD 2>/dev/null || echo "(no git checkout)"), $(grep -E 'CMAKE_BUILD_TYPE:' build/CMakeCache.txt | cut -d= -f2) build; PostgreSQL $(psql -At -c 'SHOW server_version'), synchronous_commit=$(psql -At -c 'SHOW synchronous_commit')"
echo
echo "| run | per second | p50 ms | p99 ms | max ms | errors |"
echo "|---|---|---|---|---|---|"
echo "| HTTP intake, $connections connections | $(field "$line" rps) | $(field "$line" p50_ms) | $(field "$line" p99_ms) | $(field "$line" max_ms) | $(field "$line" errors) |"
echo "| raw single-row insert (pgbench, $connections clients) | ${raw%.*} | | | | |"
echo
echo "- $stored petitions stored for $(field "$line" requests) requests"
echo "- ratio of HTTP intake to the raw insert: **$(awk -v a="$(field "$line" rps)" -v b="$raw" 'BEGIN{printf "%.2f", a/b}')**"
echo
echo "## Where the time goes"
echo
echo "Statement durations logged by PostgreSQL over a 10 s intake run ($logged petitions), summed by statement (its first"
echo "words), per petition:"
echo
echo "| statement | calls per petition | ms per petition |"
echo "|---|---|---|"
python3 - "$work/statements.log" "$logged" <<'PY'
import re, sys
from collections import defaultdict
total, calls = defaultdict(float), defaultdict(int)
pattern = re.compile(r"duration: ([0-9.]+) ms\s+(?:statement|execute [^:]*|bind [^:]*|parse [^:]*): (.*)")
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = pattern.search(line)
    if not m:
        continue
    if " parse " in line or " bind " in line:
        continue  # an execute's parse and bind are logged apart; the execute holds the statement's run time
    words = re.sub(r"\s+", " ", m.group(2)).strip()
    key = " ".join(words.split(" ")[:4])[:70]
    total[key] += float(m.group(1))
    calls[key] += 1
petitions = max(int(sys.argv[2]), 1)
for key in sorted(total, key=total.get, reverse=True)[:14]:
    print(f"| `{key}` | {calls[key] / petitions:.2f} | {total[key] / petitions:.3f} |")
print(f"| **all statements** | {sum(calls.values()) / petitions:.1f} | **{sum(total.values()) / petitions:.3f}** |")
PY
