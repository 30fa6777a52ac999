#!/usr/bin/env bash
# Make sure what the test suite needs is present and running: PostgreSQL, Debian's Chromium
# and mosquitto.
# Safe to run again; on a fresh Debian machine (as root) it installs what is missing.
set -uo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
apt_updated=0
apt_install() {
  if [ $apt_updated = 0 ]; then as_root apt-get update -qq >/dev/null 2>&1 || true; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

pg_ready() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }

if ! command -v pg_isready >/dev/null 2>&1; then
  echo "services: installing PostgreSQL"
  apt_install postgresql || echo "services: could not install PostgreSQL" >&2
fi
if ! pg_ready; then
  echo "services: starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    for version in $(ls /etc/postgresql 2>/dev/null); do
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
    done
  fi
  for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
fi
if pg_ready && ! psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  echo "services: PostgreSQL answers but user postgres cannot connect without a password" >&2
fi
pg_ready || echo "services: PostgreSQL is not running; PostgreSQL tests will fail" >&2

# Redis: the Redis event bus and job queue (the many-processes test)
redis_ready() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG) 2>/dev/null; }
if ! redis_ready; then
  command -v redis-server >/dev/null 2>&1 || { echo "services: installing Redis"; apt_install redis-server || true; }
  if command -v redis-server >/dev/null 2>&1; then
    echo "services: starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 >/dev/null 2>&1 || true
    for _ in $(seq 1 10); do redis_ready && break; sleep 1; done
  fi
fi
redis_ready || echo "services: Redis is not running; the Redis tests will fail" >&2

if [ ! -x /usr/sbin/mosquitto ]; then
  echo "services: installing Debian's mosquitto for the MQTT tests (they start their own broker)"
  apt_install mosquitto || echo "services: could not install mosquitto" >&2
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "services: installing Debian's chromium for the browser tests"
  apt_install chromium || echo "services: could not install chromium" >&2
fi
exit 0
