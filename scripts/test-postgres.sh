#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests: started once, reused by every later run.
#
#   bash scripts/test-postgres.sh         start (or reuse) it; print its SQLAlchemy URL
#   bash scripts/test-postgres.sh stop    stop it (its folder stays for the next start)
#
# Why this shape: the tests need a real server but no one's real data, so the cluster lives
# in /dev/shm (or /tmp), listens only on 127.0.0.1 at an unusual port, trusts loopback (no password to
# leak) and trades durability for speed (fsync off). A cluster that will not start (crash,
# other PostgreSQL version, half-made folder) is thrown away and made again once.
# Only the URL goes to stdout; every message goes to stderr.
set -euo pipefail

PORT="${HELPDESK_TEST_PG_PORT:-54329}"

# In memory (tmpfs) when there is room: each test's CREATE DATABASE copies ~1,000 files, which
# takes ~10 ms there and ~100 ms on disk. Gone after a reboot, which costs one initdb (~0.6 s).
default_dir() {
  local free
  free=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')
  if [ -w /dev/shm ] && [ "${free:-0}" -ge 1048576 ]; then
    echo "/dev/shm/helpdesk-test-pg-$PORT"
  else
    echo "/tmp/helpdesk-test-pg-$PORT"
  fi
}
DATA="${HELPDESK_TEST_PG_DIR:-$(default_dir)}"
URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
MARK="helpdesk-test.conf"  # written last by init: a folder without it is half-made

say() { echo "test-postgres: $*" >&2; }
die() { say "$*"; exit 1; }

has_tools() {
  local t
  for t in initdb pg_ctl pg_isready psql; do [ -x "$1/$t" ] || return 1; done
}

find_bin() {
  local d
  if [ -n "${PG_BIN:-}" ]; then
    has_tools "$PG_BIN" || die "PG_BIN=$PG_BIN lacks initdb, pg_ctl, pg_isready or psql"
    echo "$PG_BIN"
    return
  fi
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && has_tools "$d"; then echo "$d"; return; fi
  d=$(command -v initdb 2>/dev/null || true)
  if [ -n "$d" ] && has_tools "$(dirname "$d")"; then dirname "$d"; return; fi
  die "no PostgreSQL server binaries (initdb) found; run 'bash scripts/system-deps.sh' or set PG_BIN"
}
BIN=$(find_bin)

# The server refuses to run as root: as root it runs as user postgres, else as you.
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || die "user 'postgres' is missing (install Debian's postgresql)"
  OWNER=postgres
  as_owner() { (cd / && runuser -u postgres -- "$@" 9>&-); }
else
  OWNER=$(id -un)
  as_owner() { (cd / && "$@" 9>&-); }
fi

answers() {
  "$BIN/psql" -X -q -A -t -h 127.0.0.1 -p "$PORT" -U postgres -d postgres \
    -c "SELECT 1" >/dev/null 2>&1
}

init_cluster() {
  say "creating a cluster in $DATA"
  rm -rf "$DATA"
  mkdir -p "$DATA"
  chown "$OWNER" "$DATA"
  chmod 700 "$DATA"
  as_owner "$BIN/initdb" -D "$DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth=trust --no-sync >"$DATA.initdb.log" 2>&1 \
    || { cat "$DATA.initdb.log" >&2; die "initdb failed"; }
  cat >"$DATA/pg_hba.conf" <<'EOF'
# throw-away test cluster: trust on this machine's loopback only
local all all              trust
host  all all 127.0.0.1/32 trust
EOF
  cat >"$DATA/$MARK" <<EOF
# throw-away test cluster (scripts/test-postgres.sh): fast, not durable
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DATA'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
EOF
  echo "include '$MARK'" >>"$DATA/postgresql.conf"
  chown "$OWNER" "$DATA/pg_hba.conf" "$DATA/$MARK"
}

start_cluster() {
  : >"$DATA/server.log"  # this start's log only
  chown "$OWNER" "$DATA/server.log"
  as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start >/dev/null 2>&1
}

stop_cluster() {
  if [ -f "$DATA/postmaster.pid" ]; then
    as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

# one start at a time, so two test runs started together share one cluster (as_owner closes
# fd 9: a server that inherited it would hold the lock for ever)
LOCK="/tmp/helpdesk-test-pg-$PORT.lock"
if { exec 9>>"$LOCK"; } 2>/dev/null; then flock 9; else exec 9>/dev/null; fi

if [ "${1:-start}" = "stop" ]; then
  stop_cluster
  say "stopped"
  exit 0
fi

if answers; then
  echo "$URL"
  exit 0
fi
if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" 2>/dev/null; then
  die "something else listens on 127.0.0.1:$PORT and refuses user postgres without a password;" \
    "stop it or set HELPDESK_TEST_PG_PORT"
fi

[ -f "$DATA/PG_VERSION" ] && [ -f "$DATA/$MARK" ] || init_cluster
if ! start_cluster; then
  say "the cluster in $DATA would not start (log below); making it again"
  tail -n 20 "$DATA/server.log" >&2 2>/dev/null || true
  stop_cluster
  init_cluster
  start_cluster || { tail -n 40 "$DATA/server.log" >&2 || true; die "PostgreSQL would not start"; }
fi
answers || die "PostgreSQL started but does not answer on 127.0.0.1:$PORT (see $DATA/server.log)"
say "ready on 127.0.0.1:$PORT"
echo "$URL"
