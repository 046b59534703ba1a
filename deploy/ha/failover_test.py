#!/usr/bin/env python3
"""Failover under intake load (ctest -L ha; docs/operations.md): the HA set of deploy/ha/cluster.py, petitions
filed through HAProxy by several clients, then

  1. the Patroni leader killed (kill -9 of Patroni and its PostgreSQL): while the standby takes over, clients see
     only 503 with Retry-After; petitiond reconnects by itself; writes resume within 30 s;
  2. one of the two petitiond processes killed (kill -9): HAProxy sends the rest to the other;
  3. a rolling upgrade: the killed process started again on --upgrade-to (default: the same binary), then the
     other stopped gracefully and replaced: no request fails;

and no petition acknowledged to a client (201, or 200 for a replayed Idempotency-Key) is missing afterwards.
Prints the figures; with --record FILE writes them there (bench/results).

    deploy/ha/failover_test.py --petitiond build/server/petitiond [--upgrade-to NEW] [--record FILE]
"""
import http.cookiejar
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cluster  # noqa: E402

CLIENTS = 4


class Client(threading.Thread):
    """Files petitions as the demo operator until stopped, each with an Idempotency-Key of its own (a request
    HAProxy sends again after a petitiond died is then the same petition, not a second one)."""

    def __init__(self, base, results, stop):
        super().__init__(daemon=True)
        self.base, self.results, self.stop = base, results, stop
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.csrf = None

    def login(self):
        body = json.dumps({"login": "hotline1", "password": "12385-demo"}).encode()
        request = urllib.request.Request(self.base + "/api/v1/auth/login", body, {"Content-Type": "application/json"})
        with self.opener.open(request, timeout=10) as r:
            self.csrf = json.load(r)["csrf_token"]

    def run(self):
        while not self.stop.is_set():
            if not self.csrf:
                try:
                    self.login()
                except OSError:
                    time.sleep(0.5)
                    continue
            body = json.dumps({"channel": "hotline", "type": "help", "category": "other", "subject": "切换期间来电",
                               "content": "轮椅需要维修。",
                               "petitioner": {"name": "张三", "phone": "13812345678", "unit": "QS-T01-V01"}}).encode()
            request = urllib.request.Request(self.base + "/api/v1/petitions", body, {
                "Content-Type": "application/json", "X-CSRF-Token": self.csrf, "Idempotency-Key": str(uuid.uuid4())})
            sent = time.time()
            outcome = {"sent": sent}
            try:
                with self.opener.open(request, timeout=30) as r:
                    outcome.update(status=r.status, code=json.load(r)["tracking_code"])
            except urllib.error.HTTPError as e:
                outcome.update(status=e.code, retry_after=e.headers.get("Retry-After"))
                if e.code == 401:
                    self.csrf = None
                time.sleep(0.2)
            except OSError as e:
                outcome.update(status=0, error=str(e))
                time.sleep(0.2)
            outcome["done"] = time.time()
            self.results.append(outcome)


def kill_member(dir, member):
    """kill -9 of a member's Patroni and of its PostgreSQL (the machine lost, as far as they can tell)."""
    with open(os.path.join(dir, member, "data", "postmaster.pid")) as f:
        postmaster = int(f.readline())
    with open(os.path.join(dir, f"{member}.pid")) as f:
        patroni = int(f.read())
    os.kill(patroni, signal.SIGKILL)
    os.kill(postmaster, signal.SIGKILL)


def summarise(results, since, until):
    """The answers that came back in [since, until): those that were not acknowledgements, and of those the
    ones that were not 503 with Retry-After."""
    window = [r for r in results if since <= r["done"] < until]
    failed = [r for r in window if r["status"] not in (200, 201)]
    bad = [r for r in failed if not (r["status"] == 503 and r.get("retry_after"))]
    return window, failed, bad


def main():
    missing = [tool for tool in ("patroni", "etcd", "haproxy") if not shutil.which(tool)]
    if missing:
        raise SystemExit(f"failover: {', '.join(missing)} missing: apt-get install patroni etcd-server haproxy")
    args = sys.argv[1:]
    petitiond = os.path.abspath(args[args.index("--petitiond") + 1])
    record = args[args.index("--record") + 1] if "--record" in args else None
    upgrade_to = os.path.abspath(args[args.index("--upgrade-to") + 1]) if "--upgrade-to" in args else petitiond
    dir = tempfile.mkdtemp(prefix="petitiond-ha-")
    os.chmod(dir, 0o755)
    problems = []
    try:
        cluster.up(dir, petitiond)
        ports = json.load(open(os.path.join(dir, "ports.json")))
        base = f"http://127.0.0.1:{ports['http']}"
        results, stop = [], threading.Event()
        clients = [Client(base, results, stop) for _ in range(CLIENTS)]
        for c in clients:
            c.start()
        time.sleep(5)

        old_leader = cluster.leader(ports)
        killed_at = time.time()
        kill_member(dir, old_leader)
        cluster.wait_for("a new leader", lambda: cluster.leader(ports) not in (None, old_leader), limit=60)
        elected_at = time.time()
        new_leader = cluster.leader(ports)
        time.sleep(15)
        with open(os.path.join(dir, "app1.pid")) as f:
            app = int(f.read())
        app_killed_at = time.time()
        os.kill(app, signal.SIGKILL)
        time.sleep(8)
        _, app_failed, app_bad = summarise(results, app_killed_at, float("inf"))
        app_figures = {"failed_requests": len(app_failed), "failed_without_503_retry_after": len(app_bad)}
        if app_bad:
            problems.append(f"{len(app_bad)} answers after killing a petitiond were not 503 with Retry-After: "
                            f"{app_bad[:3]}")

        # A rolling upgrade: the killed process comes back on the new binary, then the other is stopped
        # gracefully (SIGTERM) and replaced; HAProxy sends everything to whichever runs.
        rolled_at = time.time()
        cluster.start_app(dir, "app1", ports, upgrade_to)
        time.sleep(3)
        with open(os.path.join(dir, "app2.pid")) as f:
            other = int(f.read())
        os.kill(other, signal.SIGTERM)
        for _ in range(300):
            try:
                os.kill(other, 0)
                time.sleep(0.1)
            except ProcessLookupError:
                break
        cluster.start_app(dir, "app2", ports, upgrade_to)
        time.sleep(3)
        _, rolled_failed, rolled_bad = summarise(results, rolled_at, float("inf"))
        rolling_figures = {"binary": os.path.relpath(upgrade_to), "failed_requests": len(rolled_failed),
                           "failed_without_503_retry_after": len(rolled_bad),
                           "took_s": round(time.time() - rolled_at, 1)}
        if rolled_failed:
            problems.append(f"{len(rolled_failed)} requests failed during the rolling upgrade: {rolled_failed[:3]}")
        stop.set()
        for c in clients:
            c.join(timeout=40)

        # The switch: from the kill to the first write acknowledged after the last refusal it caused.
        _, failed, bad = summarise(results, killed_at, app_killed_at)
        last_failure = max((r["done"] for r in failed), default=killed_at)
        resumed = min((r["done"] for r in results
                       if r["status"] in (200, 201) and r["sent"] >= last_failure and r["done"] < app_killed_at),
                      default=None)
        leader_figures = {
            "killed": old_leader, "new_leader": new_leader,
            "new_leader_after_s": round(elected_at - killed_at, 2),
            "failed_requests": len(failed), "failed_without_503_retry_after": len(bad),
            "refused_from_s": round(min((r["sent"] for r in failed), default=killed_at) - killed_at, 2),
            "refused_until_s": round(last_failure - killed_at, 2),
            "writes_resumed_after_s": round(resumed - killed_at, 2) if resumed else None,
        }
        if resumed is None or resumed - killed_at > 30:
            problems.append(f"writes did not resume within 30 s of killing the leader ({leader_figures})")
        if bad:
            problems.append(f"{len(bad)} answers during the switch were not 503 with Retry-After: {bad[:3]}")

        acknowledged = {r["code"] for r in results if r["status"] in (200, 201)}
        psql = [f"{cluster.PG_BIN}/psql", "-h", "127.0.0.1", "-p", str(ports["postgres"]), "-U", "petitiond",
                "-d", "petitiond", "-qAt", "-c", "SELECT tracking_code FROM petitions"]
        stored = set(subprocess.run(psql, capture_output=True, text=True, check=True).stdout.split())
        lost = acknowledged - stored
        if lost:
            problems.append(f"{len(lost)} acknowledged petitions are missing: {sorted(lost)[:5]}")
        figures = {"clients": CLIENTS, "requests": len(results), "acknowledged": len(acknowledged),
                   "lost": len(lost), "leader_killed": leader_figures, "petitiond_killed": app_figures,
                   "rolling_upgrade": rolling_figures}
        print(json.dumps(figures, indent=2, ensure_ascii=False))
        if record:
            with open(record, "w") as f:
                f.write("# Failover under intake load\n\n")
                f.write(f"Command: `deploy/ha/failover_test.py --petitiond build/server/petitiond --record {record}`"
                        f" ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; 2 cores shared with other work;"
                        " etcd, three Patroni members with synchronous replication, two petitiond behind HAProxy, "
                        f"all on one machine; {CLIENTS} clients filing petitions through HAProxy).\n\n")
                f.write("```json\n" + json.dumps(figures, indent=2, ensure_ascii=False) + "\n```\n")
                f.write("\nProblems: " + ("; ".join(problems) if problems else "none") + "\n")
    finally:
        cluster.down(dir)
    for p in problems:
        print("FAIL", p)
    print("failover: " + ("all checks passed" if not problems else f"{len(problems)} problem(s)"))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
