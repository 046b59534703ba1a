#!/usr/bin/env python3
"""A highly available petitiond on one machine, for testing (docs/operations.md, "Failover on Patroni"):
etcd, three PostgreSQL members under Patroni with synchronous replication, two petitiond processes that reach
the primary through a multi-host URL (target_session_attrs=read-write), and HAProxy in front of them.

    deploy/ha/cluster.py up   DIR [--petitiond PATH]   start everything under DIR; prints the addresses
    deploy/ha/cluster.py down DIR                      stop everything started under DIR

Uses Debian's packages (patroni, etcd-server, haproxy, postgresql-15). Ports come from DIR/ports.json.
"""
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

PG_BIN = "/usr/lib/postgresql/15/bin"
MEMBERS = ("pg1", "pg2", "pg3")
APPS = ("app1", "app2")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres():
    """Patroni runs PostgreSQL, which refuses root: as root, run it as the postgres account."""
    if os.geteuid() != 0:
        return {}
    account = pwd.getpwnam("postgres")

    def demote():
        os.setgid(account.pw_gid)
        os.setuid(account.pw_uid)

    return {"preexec_fn": demote}


def chown_postgres(path):
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(path, account.pw_uid, account.pw_gid)


def spawn(dir, name, argv, **kwargs):
    log = open(os.path.join(dir, f"{name}.log"), "ab")
    process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **kwargs)
    with open(os.path.join(dir, f"{name}.pid"), "w") as f:
        f.write(str(process.pid))
    return process


def wait_for(what, check, limit=120):
    deadline = time.time() + limit
    while time.time() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"ha: {what} did not come up within {limit} s")


def http_status(url):
    """The status of a GET, or 0 when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def patroni_config(dir, name, ports):
    data = os.path.join(dir, name)
    return f"""scope: petitiond
namespace: /petitiond-ha/
name: {name}
restapi:
  listen: 127.0.0.1:{ports[name + "_api"]}
  connect_address: 127.0.0.1:{ports[name + "_api"]}
etcd3:
  hosts: 127.0.0.1:{ports["etcd"]}
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 2
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        max_wal_senders: 10
        max_replication_slots: 10
        wal_log_hints: "on"
  initdb:
    - encoding: UTF8
    - no-locale
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:{ports[name]}
  connect_address: 127.0.0.1:{ports[name]}
  data_dir: {data}/data
  bin_dir: {PG_BIN}
  pgpass: {data}/pgpass
  authentication:
    superuser: {{username: postgres, password: postgres}}
    replication: {{username: replicator, password: replicator}}
    rewind: {{username: postgres, password: postgres}}
  parameters:
    unix_socket_directories: {data}
"""


HAPROXY = """global
  maxconn 2000
defaults
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout check 2s
# The two petitiond processes: checked for life (/healthz), not for the database, so that while the database
# switches over each answers 503 with Retry-After itself; a request that never reached one goes to the other.
frontend petitiond
  mode http
  bind 127.0.0.1:{http}
  default_backend petitiond
backend petitiond
  mode http
  option httpchk GET /healthz
  # A request a dying petitiond took but never answered goes to the other: buffered, so it can be sent again;
  # its Idempotency-Key makes it the same petition if the first had been stored.
  option http-buffer-request
  retry-on conn-failure empty-response
  retries 3
  option redispatch
  errorfile 503 {dir}/503.http
  default-server inter 1s fall 2 rise 1
  server app1 127.0.0.1:{app1} check
  server app2 127.0.0.1:{app2} check
# The primary, for tools (psql, pg_dump): the member whose Patroni says it leads.
listen postgres
  mode tcp
  bind 127.0.0.1:{postgres}
  option httpchk GET /primary
  http-check expect status 200
  default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
  server pg1 127.0.0.1:{pg1} check port {pg1_api}
  server pg2 127.0.0.1:{pg2} check port {pg2_api}
  server pg3 127.0.0.1:{pg3} check port {pg3_api}
"""


def database_url(ports):
    hosts = ",".join(f"127.0.0.1:{ports[m]}" for m in MEMBERS)
    return f"postgresql://petitiond@{hosts}/petitiond?target_session_attrs=read-write&connect_timeout=2"


def leader(ports):
    for member in MEMBERS:
        if http_status(f"http://127.0.0.1:{ports[member + '_api']}/leader") == 200:
            return member
    return None


def up(dir, petitiond):
    os.makedirs(dir, exist_ok=True)
    os.chmod(dir, 0o755)
    names = ["etcd", "etcd_peer", "http", "postgres", "app1", "app2"]
    for m in MEMBERS:
        names += [m, m + "_api"]
    ports = {name: free_port() for name in names}
    with open(os.path.join(dir, "ports.json"), "w") as f:
        json.dump(ports, f)

    etcd_dir = os.path.join(dir, "etcd")
    spawn(dir, "etcd", ["etcd", "--name", "ha", "--data-dir", etcd_dir,
                        "--listen-client-urls", f"http://127.0.0.1:{ports['etcd']}",
                        "--advertise-client-urls", f"http://127.0.0.1:{ports['etcd']}",
                        "--listen-peer-urls", f"http://127.0.0.1:{ports['etcd_peer']}",
                        "--initial-advertise-peer-urls", f"http://127.0.0.1:{ports['etcd_peer']}",
                        "--initial-cluster", f"ha=http://127.0.0.1:{ports['etcd_peer']}"])
    wait_for("etcd", lambda: http_status(f"http://127.0.0.1:{ports['etcd']}/health") == 200)

    for member in MEMBERS:
        start_member(dir, member, ports)
    wait_for("a Patroni leader", lambda: leader(ports) is not None)
    first = leader(ports)
    psql = [f"{PG_BIN}/psql", "-h", "127.0.0.1", "-p", str(ports[first]), "-U", "postgres", "-d", "postgres",
            "-v", "ON_ERROR_STOP=1", "-qAt"]
    wait_for("the leader's PostgreSQL", lambda: subprocess.run(psql + ["-c", "SELECT 1"],
                                                                 capture_output=True).returncode == 0)
    exists = subprocess.run(psql + ["-c", "SELECT 1 FROM pg_roles WHERE rolname = 'petitiond'"],
                            capture_output=True, text=True).stdout.strip()
    if not exists:
        subprocess.run(psql + ["-c", "CREATE ROLE petitiond LOGIN"], check=True)
        subprocess.run(psql + ["-c", "CREATE DATABASE petitiond OWNER petitiond"], check=True)
    wait_for("a synchronous standby", lambda: any(
        m.get("role") == "sync_standby" for m in cluster_members(ports)))

    with open(os.path.join(dir, "503.http"), "w") as f:
        f.write("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: application/json\r\n"
                "Cache-Control: no-store\r\nConnection: close\r\n\r\n"
                '{"error":{"code":"unavailable","message":"no petitiond process answers; try again","field":null}}\n')
    for app in APPS:
        start_app(dir, app, ports, petitiond)
    with open(os.path.join(dir, "haproxy.cfg"), "w") as f:
        f.write(HAPROXY.format(dir=dir, **ports))
    spawn(dir, "haproxy", ["haproxy", "-f", os.path.join(dir, "haproxy.cfg"), "-db"])
    wait_for("HAProxy", lambda: http_status(f"http://127.0.0.1:{ports['http']}/readyz") == 200)
    print(json.dumps({"http": f"http://127.0.0.1:{ports['http']}", "primary": f"127.0.0.1:{ports['postgres']}",
                      "database_url": database_url(ports), "leader": leader(ports)}))


def start_member(dir, member, ports):
    data = os.path.join(dir, member)
    os.makedirs(data, exist_ok=True)
    os.chmod(data, 0o700)
    chown_postgres(data)
    config = os.path.join(dir, f"{member}.yml")
    with open(config, "w") as f:
        f.write(patroni_config(dir, member, ports))
    os.chmod(config, 0o644)
    spawn(dir, member, ["patroni", config], cwd=data, **as_postgres())


def start_app(dir, app, ports, petitiond):
    data = os.path.join(dir, app)
    os.makedirs(data, exist_ok=True)
    spawn(dir, app, [petitiond, "--listen", f"127.0.0.1:{ports[app]}", "--database-url", database_url(ports),
                     "--data-dir", data, "--attachment-dir", os.path.join(dir, "attachments"),
                     "--db-connect-timeout", "2", "--db-statement-timeout", "5", "--demo", "--demo-days", "0"])
    wait_for(app, lambda: http_status(f"http://127.0.0.1:{ports[app]}/healthz") == 200, limit=180)


def cluster_members(ports):
    for member in MEMBERS:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{ports[member + '_api']}/cluster", timeout=2) as r:
                return json.load(r).get("members", [])
        except OSError:
            continue
    return []


def down(dir):
    for name in ("haproxy",) + APPS + MEMBERS + ("etcd",):
        path = os.path.join(dir, f"{name}.pid")
        if not os.path.exists(path):
            continue
        pid = int(open(path).read())
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        for _ in range(100):
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("up", "down"):
        raise SystemExit(__doc__)
    if sys.argv[1] == "up":
        binary = sys.argv[sys.argv.index("--petitiond") + 1] if "--petitiond" in sys.argv else shutil.which("petitiond")
        if not binary:
            raise SystemExit("ha: say which petitiond with --petitiond PATH")
        up(os.path.abspath(sys.argv[2]), binary)
    else:
        down(os.path.abspath(sys.argv[2]))
