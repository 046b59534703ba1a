#!/usr/bin/env bash
# Checks the Debian package scripts/package.sh built, without installing it on this machine: its control data
# (dependencies, conffile, maintainer scripts), its files, the systemd unit (systemd-analyze verify, and the
# exposure score of its hardening), and that the packaged binary serves the packaged web app with the unit's own
# options, as the unprivileged account the package makes, logging for the journal.
# Usage: tests/package/check_package.sh build-package/petitiond_*.deb
set -euo pipefail
deb=$(realpath "$1")
root=$(mktemp -d /tmp/petitiond-package-XXXXXX)
chmod 0755 "$root"
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$root"
}
trap cleanup EXIT
failures=0
check() {
  if eval "$2"; then echo "  ok   $1"; else echo "  FAIL $1"; failures=$((failures + 1)); fi
}

dpkg-deb --info "$deb" > "$root/info"
dpkg-deb --extract "$deb" "$root/fs"
dpkg-deb --control "$deb" "$root/control"
check "depends on PostgreSQL 15's server and client programs and adduser" \
  "grep -Eq '^ Depends:.*postgresql-15.*postgresql-client-15.*adduser' '$root/info'"
check "depends on the shared libraries it links (dpkg-shlibdeps)" "grep -Eq '^ Depends:.*libpq5' '$root/info'"
check "/etc/petitiond/petitiond.conf is a conffile (kept on upgrade)" \
  "grep -qx /etc/petitiond/petitiond.conf '$root/control/conffiles'"
check "postinst makes the system account and starts or restarts the service" \
  "grep -q 'adduser --system' '$root/control/postinst' && grep -q 'try-restart' '$root/control/postinst'"
for f in usr/bin/petitiond usr/share/petitiond/web/index.html lib/systemd/system/petitiond.service \
         etc/petitiond/petitiond.conf usr/share/doc/petitiond/README.md; do
  check "ships /$f" "[ -f '$root/fs/$f' ]"
done
check "no source maps in the web app" "! find '$root/fs/usr/share/petitiond/web' -name '*.map' | grep -q ."
unit="$root/fs/lib/systemd/system/petitiond.service"
for setting in NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes StateDirectory=petitiond User=petitiond; do
  check "the unit sets $setting" "grep -qx '$setting' '$unit'"
done
if command -v systemd-analyze >/dev/null; then
  # Verified as a unit file of its own, its ExecStart pointing at the extracted binary.
  mkdir "$root/unit"
  sed "s#/usr/bin/petitiond#$root/fs/usr/bin/petitiond#" "$unit" > "$root/unit/petitiond.service"
  check "systemd-analyze verify accepts the unit" "systemd-analyze verify '$root/unit/petitiond.service'"
  score=$(systemd-analyze security --offline=yes --root="$root/fs" /lib/systemd/system/petitiond.service 2>/dev/null \
          | sed -n 's/.*Overall exposure level for petitiond.service: \([0-9.]*\).*/\1/p')
  echo "       exposure level (systemd-analyze security; 0 safest, 10 unsafe): ${score:-unknown}"
  check "its hardening scores 'OK' or better (exposure below 5)" "[ -n '$score' ] && awk 'BEGIN{exit !($score < 5)}'"
fi

# The unit's ExecStart, with the package's paths under the extraction root and a scratch state directory.
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
args=$(echo "$exec_start" | sed "s#/usr/bin/petitiond#$root/fs/usr/bin/petitiond#; s#/etc/petitiond#$root/fs/etc/petitiond#; s#/var/lib/petitiond#$root/state#; s#/usr/share/petitiond/web#$root/fs/usr/share/petitiond/web#")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -i "s/^listen = .*/listen = 127.0.0.1:$port/" "$root/fs/etc/petitiond/petitiond.conf"
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  id petitiond-check >/dev/null 2>&1 || useradd --system --no-create-home petitiond-check
  install -d -o petitiond-check -m 0700 "$root/state"
  run_as=(setpriv --reuid=petitiond-check --regid=petitiond-check --clear-groups)
else
  install -d -m 0700 "$root/state"
fi
# shellcheck disable=SC2086
"${run_as[@]}" $args >"$root/log" 2>&1 &
server=$!
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.2
done
check "the packaged binary, as the unit starts it, is ready" "curl -fs 'http://127.0.0.1:$port/readyz' >/dev/null"
check "it serves the packaged web app" "curl -fs 'http://127.0.0.1:$port/' | grep -q '<div id=\"app\"'"
check "its log lines lead with their syslog priority for the journal" "grep -q '^<6>info listening on' '$root/log'"
kill "$server"
wait "$server" && stopped=0 || stopped=$?
server=
check "SIGTERM stops it and its database cleanly" "[ $stopped -eq 0 ]"
[ "$failures" -eq 0 ] || { echo "--- petitiond's log"; tail -20 "$root/log"; }
exit $((failures == 0 ? 0 : 1))
