#!/usr/bin/env bash
# Search and list benchmark at province scale (issue 23, points 6 and 7). petitiond on its embedded
# PostgreSQL with the demo district and PETITIONS (default 10,000,000) generated petitions of 300-500 Chinese
# characters with about 300 distinct bigrams each (bench/petition_text.py):
#  1. the data set, generated in two shards and loaded with COPY; then petitiond's text index catches up
#     with it (the load time and the index's build time are reported);
#  2. text search over HTTP at one connection, tier by tier: common, middle and rare words and phrases
#     (`generate_petitions.py search-words`), newest first with the total (district manager) — p50/p99/max, and
#     each word's total;
#  3. lists at one connection: a town's overdue list by deadline (district manager) and handlers' worklists
#     (open petitions by deadline, a town's and a village's handler), with the total, beside the same SQL run by
#     pgbench over the Unix socket in the same run (the plain-SQL baseline).
# GIN=yes also loads the bigram column and its GIN index (the design before the text index) and times its
# search statements with pgbench on the same data, for comparison.
# KEEP=DIR keeps the data directory in DIR, and a run on a DIR that holds the data skips the load.
# Prints Markdown: `bench/search_bench.sh | tee bench/results/search-$(date +%F).md`. Not a test. Needs a build
# (scripts/build.sh), wrk and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-20}
petitions=${PETITIONS:-10000000}
petitioners=${PETITIONERS:-$((petitions / 5))}
port=${PORT:-18183}
gin=${GIN:-no}
if [ -n "${KEEP:-}" ]; then
  data_dir=$KEEP
  mkdir -p "$data_dir"
else
  data_dir=$(mktemp -d /tmp/petitiond-search-XXXXXX)
fi
chmod 755 "$data_dir"
log=$data_dir/petitiond.log
work=$(mktemp -d /tmp/petitiond-search-work-XXXXXX)
chmod 755 "$work"
pid=
cleanup() {
  [ -n "$pid" ] && { kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true; }
  rm -rf "$work"
  [ -n "${KEEP:-}" ] || rm -rf "$data_dir"
}
trap cleanup EXIT

start_server() {
  build/server/petitiond --demo --demo-days 0 --data-dir "$data_dir" --listen 127.0.0.1:$port --threads 2 \
    --log-level "${LOG_LEVEL:-info}" >>"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1200); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return; sleep 0.1; done
  echo "petitiond did not start; see $log" >&2; exit 1
}
as=()
[ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
psql() { "${as[@]}" "$pgbin/psql" -h "$data_dir/postgres/run" -U petitiond -d petitiond -v ON_ERROR_STOP=1 -q "$@"; }
metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
now() { date +%s; }

start_server
psql -At -F $'\t' -c "SELECT id, kind, nlevel(path), name, coalesce(parent_id, 0) FROM units" >"$work/units.tsv"
chmod 644 "$work/units.tsv"

# 1. The data set (skipped when the kept directory holds it).
loaded=$(psql -At -c "SELECT count(*) FROM petitions")
load_note="reused from $data_dir"
if [ "$loaded" -lt "$petitions" ]; then
  started=$(now)
  intake_unit=$(psql -At -c "SELECT id FROM units WHERE code = 'QS-CL-RX'")
  # The bigram GIN index is built after the load, if at all (maintained row by row it takes hours).
  psql -c "DROP INDEX IF EXISTS petitions_search"
  python3 bench/generate_petitions.py petitioners "$petitioners" |
    psql -c "\\copy petitioners ($(python3 bench/generate_petitions.py columns petitioners)) FROM STDIN"
  columns=$(python3 bench/generate_petitions.py columns petitions)
  for shard in 0 1; do
    python3 bench/generate_petitions.py petitions "$petitions" "$petitioners" "$work/units.tsv" "$intake_unit" \
      "shard=$shard/2" "bigrams=$gin" | psql -c "\\copy petitions ($columns) FROM STDIN" &
  done
  wait %2 %3 2>/dev/null || wait
  psql -c "SELECT setval(pg_get_serial_sequence('petitioners', 'id'), (SELECT max(id) FROM petitioners));
           SELECT setval(pg_get_serial_sequence('petitions', 'id'), (SELECT max(id) FROM petitions)); ANALYZE" >/dev/null
  load_note="generated and loaded with COPY in $(( $(now) - started )) s"
fi
loaded=$(psql -At -c "SELECT count(*) FROM petitions")
index_started=$(now)
until [ "$(metric petitiond_text_index_ready)" = "1" ] &&
  [ "$(metric petitiond_text_index_documents | cut -d. -f1)" -ge "$loaded" ]; do sleep 2; done
index_seconds=$(( $(now) - index_started ))
size=$(psql -At -c "SELECT pg_size_pretty(pg_database_size('petitiond'))")
index_size=$(du -sh "$data_dir/search-index" | cut -f1)

curl -s -c "$work/admin" -H 'Content-Type: application/json' -d '{"login":"admin","password":"12385-demo"}' \
  "http://127.0.0.1:$port/api/v1/auth/login" >"$work/login.json"
csrf=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf_token"])' "$work/login.json")
token_for() {  # login
  local id
  id=$(curl -s -b "$work/admin" "http://127.0.0.1:$port/api/v1/users?limit=500" |
    python3 -c 'import json,sys; print([u["id"] for u in json.load(sys.stdin)["users"] if u["login"] == sys.argv[1]][0])' "$1")
  curl -s -b "$work/admin" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    -d "{\"name\":\"bench\",\"user_id\":$id,\"scopes\":[\"read\"]}" "http://127.0.0.1:$port/api/v1/tokens" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
manager=$(token_for district.manager)
town_handler=$(token_for t01.handler)
village_handler=$(token_for v0101.handler)

run_wrk() {  # token paths...
  local token=$1
  shift
  PATHS="$*" TOKEN="$token" wrk -t1 -c1 -d"${duration}s" --latency -s bench/search.lua "http://127.0.0.1:$port" 2>&1 |
    grep '^RESULT'
}
field() { sed -E "s/.*$2=([0-9.]+).*/\1/" <<<"$1"; }
encode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }

echo "# Search and list benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- command: \`bench/search_bench.sh\` (PETITIONS=$petitions, PETITIONERS=$petitioners, DURATION=${duration}s per run, GIN=$gin)"
echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem/{print $2}') GiB; wrk, petitiond and PostgreSQL on the same machine"
echo "- petitiond $(git rev-parse --short HEAD 2>/dev/null || echo "(no git checkout)"), $(grep -E 'CMAKE_BUILD_TYPE:' build/CMakeCache.txt | cut -d= -f2) build; PostgreSQL $(psql -At -c 'SHOW server_version'), shared_buffers $(psql -At -c 'SHOW shared_buffers')"
echo "- data set: $loaded petitions ($load_note); database $size; text index $index_size, caught up ${index_seconds} s after the load"
echo

# Warm-up: every query once.
while IFS=$'\t' read -r tier word; do
  curl -s -o /dev/null -H "Authorization: Bearer $manager" "http://127.0.0.1:$port/api/v1/petitions?limit=50&q=$(encode "$word")"
done < <(python3 bench/generate_petitions.py search-words "$work/units.tsv")

echo "## Text search at one connection (district manager, newest first, 50 a page, total counted to 200)"
echo
echo "| tier | words | requests/s | p50 ms | p99 ms | max ms | errors |"
echo "|---|---|---|---|---|---|---|"
declare -A tier_paths tier_words
while IFS=$'\t' read -r tier word; do
  tier_paths[$tier]+="/api/v1/petitions?limit=50&q=$(encode "$word") "
  total=$(curl -s -H "Authorization: Bearer $manager" "http://127.0.0.1:$port/api/v1/petitions?limit=50&q=$(encode "$word")" |
    python3 -c 'import json,sys; p=json.load(sys.stdin); print(str(p["total"]) + ("" if p["total_exact"] else "+"))')
  tier_words[$tier]+="$word ($total), "
done < <(python3 bench/generate_petitions.py search-words "$work/units.tsv")
for tier in common middle rare phrase; do
  line=$(run_wrk "$manager" ${tier_paths[$tier]})
  echo "| $tier | ${tier_words[$tier]%, } | $(field "$line" rps) | $(field "$line" p50_ms) | $(field "$line" p99_ms) | $(field "$line" max_ms) | $(field "$line" errors) |"
done
echo
echo "Each word's total is in brackets (\"200+\": 200 or more). A request walks the index's candidates newest first and checks them against the rows (visibility, the words as written) until it has the page and the count."
echo

# 3. Lists, beside the plain SQL.
open_states=$(python3 - <<'PY'
import yaml
definition = yaml.safe_load(open("schemas/workflows/petition-v2.yaml", encoding="utf-8"))
print(",".join(s["name"] for s in definition["states"] if not s.get("terminal") and s["name"] != "closed"))
PY
)
town_paths=""
for t in $(seq -w 1 42); do town_paths+="/api/v1/petitions?unit=QS-T$t&deadline=overdue&sort=deadline&limit=50 "; done
worklist="/api/v1/petitions?sort=deadline&limit=50&state=$open_states"
cat >"$work/town.sql" <<'SQL'
\set t random(1, 42)
SELECT p.id, p.tracking_code, p.subject, p.state, p.due_at FROM petitions p WHERE p.responsible_unit_id IN (SELECT id FROM units WHERE path <@ (SELECT path FROM units WHERE code = 'QS-T' || lpad(:t::text, 2, '0'))) AND p.due_at <= now() ORDER BY p.due_at, p.id LIMIT 51;
SELECT count(*) FROM (SELECT 1 FROM petitions p WHERE p.responsible_unit_id IN (SELECT id FROM units WHERE path <@ (SELECT path FROM units WHERE code = 'QS-T' || lpad(:t::text, 2, '0'))) AND p.due_at <= now() LIMIT 1001) c;
SQL
worklist_sql() {  # unit code
  local states
  states="'{$open_states}'::text[]"
  cat <<SQL
SELECT p.id, p.tracking_code, p.subject, p.state, p.due_at FROM petitions p, (SELECT id FROM units WHERE code = '$1') u WHERE (p.responsible_unit_id = u.id OR p.co_unit_ids @> ARRAY[u.id] OR p.handed_down_from @> ARRAY[u.id]) AND p.state = ANY ($states) ORDER BY p.due_at NULLS LAST, p.id LIMIT 51;
SELECT count(*) FROM (SELECT 1 FROM petitions p, (SELECT id FROM units WHERE code = '$1') u WHERE (p.responsible_unit_id = u.id OR p.co_unit_ids @> ARRAY[u.id] OR p.handed_down_from @> ARRAY[u.id]) AND p.state = ANY ($states) LIMIT 1001) c;
SQL
}
worklist_sql QS-T01 >"$work/town_worklist.sql"
worklist_sql QS-T01-V01 >"$work/village_worklist.sql"
chmod 644 "$work"/*.sql
pgbench_latency() {  # script → "p50 p99" in ms, one client
  rm -f "$work"/pgbench_log.*
  (cd "$work" && "${as[@]}" "$pgbin/pgbench" -h "$data_dir/postgres/run" -U petitiond -n -M prepared -c 1 -T "$duration" \
    -l --log-prefix="$work/pgbench_log" -f "$1" petitiond >/dev/null 2>&1)
  cat "$work"/pgbench_log.* | awk '{print $3 / 1000}' | sort -n |
    awk '{v[NR] = $1} END {printf "%.3f %.3f %d\n", v[int(NR * 0.5) + 1], v[int(NR * 0.99) + 1], NR / '"$duration"'}'
}
chmod 777 "$work"
echo "## Lists at one connection, with the total (counted to 1,000), beside the same SQL in pgbench"
echo
echo "| list | petitiond requests/s | p50 ms | p99 ms | errors | plain SQL p50 ms | plain SQL p99 ms | ratio of p99 |"
echo "|---|---|---|---|---|---|---|---|"
list_row() {  # name token sql paths...
  local name=$1 token=$2 sql=$3 line base
  shift 3
  line=$(run_wrk "$token" "$@")
  read -r b50 b99 _ < <(pgbench_latency "$sql")
  echo "| $name | $(field "$line" rps) | $(field "$line" p50_ms) | $(field "$line" p99_ms) | $(field "$line" errors) | $b50 | $b99 | $(awk -v a="$(field "$line" p99_ms)" -v b="$b99" 'BEGIN{printf "%.1f", a/b}') |"
}
list_row "a town's overdue petitions by deadline (district manager, 42 towns in turn)" "$manager" "$work/town.sql" $town_paths
list_row "a town handler's worklist (QS-T01: open, by deadline)" "$town_handler" "$work/town_worklist.sql" "$worklist"
list_row "a village handler's worklist (QS-T01-V01: open, by deadline)" "$village_handler" "$work/village_worklist.sql" "$worklist"
echo
echo "The plain SQL selects five columns of the same rows and counts them, with none of petitiond's work: visibility (roles, accusations), the summary's joins (petitioner, units, calendars), JSON, HTTP."

if [ "$gin" = yes ]; then
  echo
  echo "## The bigram column with its GIN index (the design before the text index), same data"
  echo
  psql -c "CREATE INDEX IF NOT EXISTS petitions_search ON petitions USING gin (search_bigrams)" >/dev/null
  echo "| tier | statements | p50 ms | p99 ms | transactions/s |"
  echo "|---|---|---|---|---|"
  for tier in common middle rare phrase; do
    python3 - "$tier" "$work/units.tsv" >"$work/gin_$tier.sql" <<'PY'
import sys
sys.path.insert(0, "bench")
from generate_petitions import places, read_units
from petition_text import bigrams, query_words
tier, units = sys.argv[1], sys.argv[2]
words = query_words([(v[2], v[3]) for v in places(read_units(units))])[tier]
print("\\set w random(1, %d)" % len(words))
# One statement per word, chosen at random: the old list() — the probe, then the page and the count with the
# strategy the probe picked (bitmap scan for at most 2,000 matches, else the newest-first walk).
for i, word in enumerate(words, 1):
    array = "'{" + ",".join('"%s"' % b for b in bigrams(word)) + "}'::text[]"
    check = "strpos(lower(p.subject || ' ' || p.content), lower('%s')) > 0" % word
    print("\\if :w = %d" % i)
    print("BEGIN;")
    print("SET LOCAL enable_seqscan = off;")
    print("SELECT count(*) AS probe FROM (SELECT 1 FROM petitions WHERE search_bigrams @> %s LIMIT 2001) m \\gset" % array)
    print("\\if :probe <= 2000")
    print("SET LOCAL enable_indexscan = off;")
    print("\\else")
    print("SET LOCAL enable_bitmapscan = off;")
    print("\\endif")
    print("SELECT p.id, p.subject FROM petitions p WHERE p.search_bigrams @> %s AND %s ORDER BY p.received_at DESC, p.id DESC LIMIT 51;" % (array, check))
    print("SELECT count(*) FROM (SELECT 1 FROM petitions p WHERE p.search_bigrams @> %s AND %s ORDER BY p.received_at DESC, p.id DESC LIMIT 201) c;" % (array, check))
    print("COMMIT;")
    print("\\endif")
PY
    read -r g50 g99 gtps < <(pgbench_latency "$work/gin_$tier.sql")
    echo "| $tier | probe, page, count | $g50 | $g99 | $gtps |"
  done
  echo
  echo "GIN index: $(psql -At -c "SELECT pg_size_pretty(pg_relation_size('petitions_search'))"); statement_timeout is not set for pgbench (petitiond's is 5 s)."
fi
