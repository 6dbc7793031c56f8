#!/usr/bin/env bash
# Makes sure the PostgreSQL and Redis servers the tests use are installed and
# running on this machine (Debian). Safe to run repeatedly; does nothing when
# both already answer. Tests use their own fresh database on that server.
set -euo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1; then
  echo "services: installing postgresql and redis-server from Debian packages" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server >/dev/null
  installed_here=1
fi

if ! pg_up; then
  echo "services: starting PostgreSQL" >&2
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi

# A cluster this script just installed asks for passwords over TCP; the tests
# connect as postgres on 127.0.0.1 without one, as on the project's machines.
if [ "${installed_here:-0}" = 1 ]; then
  hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -n1)
  as_root sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main reload
fi

if ! redis_up; then
  echo "services: starting Redis" >&2
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis_up && break; sleep 1; done
fi

pg_up || { echo "services: PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1; }
redis_up || { echo "services: Redis is not answering on 127.0.0.1:6379" >&2; exit 1; }

# Offline speech-to-text (pocketsphinx) and ffmpeg for the ASR tests; never fatal.
bash "$(dirname "$0")/setup-audio.sh"
# Debian's Chromium for the browser tests; never fatal (the browser tests say why they skip).
bash "$(dirname "$0")/setup-browser.sh" || echo "services: Chromium could not be installed; browser tests will be skipped" >&2
