#!/usr/bin/env bash
# Notification benchmark: MESSAGES (default 10,000) queued petitioner SMS messages drained by one petitiond's
# dispatcher through an SMS gateway stand-in (tests/support/http_stand_in.py, a Python HTTP server on
# loopback); messages/s from the first to the last delivery recorded. Baseline in the same run: wrk POSTing
# the same requests to the same stand-in (its own capacity, one connection as the dispatcher uses); the ratio.
# Prints a Markdown report: `bench/notifications_bench.sh | tee bench/results/notifications-$(date +%F).md`.
set -euo pipefail
cd "$(dirname "$0")/.."
messages=${MESSAGES:-10000}
port=${PORT:-18185}
gateway_port=${GATEWAY_PORT:-18186}
data_dir=$(mktemp -d /tmp/petitiond-notify-XXXXXX)
chmod 755 "$data_dir"
work=$(mktemp -d /tmp/petitiond-notify-work-XXXXXX)
pid= gateway=
cleanup() {
  [ -n "$pid" ] && { kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true; }
  [ -n "$gateway" ] && { kill $gateway 2>/dev/null; wait $gateway 2>/dev/null || true; }
  rm -rf "$data_dir" "$work"
}
trap cleanup EXIT
start_server() {  # notify-interval
  build/server/petitiond --demo --data-dir "$data_dir" --listen 127.0.0.1:$port --notify-interval "$1" \
    --scheduler-interval 0 --log-level error >>"$data_dir/petitiond.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return; sleep 0.1; done
  echo "petitiond did not start" >&2; exit 1
}
as=()
[ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
psql() { "${as[@]}" "$pgbin/psql" -h "$data_dir/postgres/run" -U petitiond -d petitiond -v ON_ERROR_STOP=1 -q "$@"; }

/usr/bin/python3 tests/support/http_stand_in.py "$gateway_port" "$work/received.jsonl" "$work/status" &
gateway=$!
for _ in $(seq 1 100); do curl -s -o /dev/null -X POST "http://127.0.0.1:$gateway_port/ready" && break; sleep 0.1; done
# Baseline: the stand-in's own rate over one connection.
baseline=$(wrk -t1 -c1 -d10s -s bench/post.lua "http://127.0.0.1:$gateway_port" 2>&1 | grep '^RESULT')
rm -f "$work/received.jsonl"

# The queue: MESSAGES petitions, each with a petitioner's phone and a "registered" message, no dispatcher running.
start_server 0
psql -c "INSERT INTO settings (key, value) VALUES ('sms.gateway', '{\"url\": \"http://127.0.0.1:$gateway_port/sms\"}')"
psql -c "INSERT INTO petitioners (id, name, phone, phone_key) OVERRIDING SYSTEM VALUE
           SELECT 1000000 + i, '基准', '139' || lpad(i::text, 8, '0'), '139' || lpad(i::text, 8, '0') FROM generate_series(1, $messages) i;
         INSERT INTO petitions (id, tracking_code, channel, workflow, workflow_version, type, category, urgency, subject,
                                content, state, petitioner_id, intake_unit_id, received_at, updated_at)
           SELECT 1000000 + i, '20261128-' || lpad(upper(to_hex(i)), 6, '0'), 'hotline', 'petition', 1, 'help', 'other',
                  'normal', '基准', '基准。', 'registered', 1000000 + i, (SELECT id FROM units WHERE code = 'QS-CL-RX'), now(), now()
           FROM generate_series(1, $messages) i;
         INSERT INTO outbox (petition_id, audience, topic, payload)
           SELECT 1000000 + i, 'petitioner', 'registered', jsonb_build_object('tracking_code', '20261128-' || lpad(upper(to_hex(i)), 6, '0'))
           FROM generate_series(1, $messages) i"
kill -TERM $pid; wait $pid || true; pid=

# Drain: a petitiond with its dispatcher.
started=$(date +%s.%N)
start_server 1000
while [ "$(psql -At -c "SELECT count(*) FROM notification_deliveries WHERE state = 'sent'")" -lt "$messages" ]; do sleep 0.5; done
span=$(psql -At -c "SELECT extract(epoch FROM max(sent_at) - min(sent_at)) FROM notification_deliveries")
received=$(wc -l <"$work/received.jsonl")
duplicates=$(/usr/bin/python3 -c 'import json,sys,collections; c=collections.Counter(json.loads(l)["headers"]["Idempotency-Key"] for l in open(sys.argv[1])); print(sum(v-1 for v in c.values()))' "$work/received.jsonl")
rate=$(awk "BEGIN{printf \"%.0f\", $messages / $span}")
field() { sed -E "s/.*$2=([0-9.]+).*/\1/" <<<"$1"; }

echo "# Notification benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- command: \`bench/notifications_bench.sh\` (MESSAGES=$messages)"
echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem/{print $2}') GiB; the gateway stand-in, petitiond and PostgreSQL on the same machine"
echo "- petitiond $(git rev-parse --short HEAD 2>/dev/null || echo "(no git checkout)"), $(grep -E 'CMAKE_BUILD_TYPE:' build/CMakeCache.txt | cut -d= -f2) build; one process, dispatcher batches of 100, sends one after another on a worker thread"
echo
echo "| | messages | seconds | messages/s |"
echo "|---|---|---|---|"
echo "| dispatcher draining the queue (expansion, claim, HTTP POST, record) | $messages | $(printf '%.1f' "$span") | $rate |"
echo "| baseline: wrk POSTing to the same stand-in, one connection | $(field "$baseline" requests) | 10 | $(field "$baseline" rps) |"
echo
echo "- ratio dispatcher / stand-in capacity: $(awk "BEGIN{printf \"%.2f\", $rate / $(field "$baseline" rps)}")"
echo "- the gateway received $received requests for $messages messages; $duplicates repeated an idempotency key"
