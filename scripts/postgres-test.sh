#!/usr/bin/env bash
# Runs brygga-server's tests against a throwaway PostgreSQL cluster.
#
#   scripts/postgres-test.sh              cargo test -p brygga-server
#   scripts/postgres-test.sh CMD ARGS...  any command instead, e.g.
#       scripts/postgres-test.sh cargo bench -p brygga-server --bench sync
#
# Installs PostgreSQL (Debian package, scripts/setup-debian.sh postgres),
# makes a cluster in a temporary directory owned by the postgres user (when
# run as root; as the current user otherwise), listening on 127.0.0.1 only,
# creates a database, exports BRYGGA_TEST_POSTGRES_URL for the command, and
# stops and removes the cluster on exit, whatever happens.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { printf 'postgres-test: %s\n' "$*" >&2; }

"$root/scripts/setup-debian.sh" postgres

bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    log "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
    exit 1
fi

# PostgreSQL refuses to run as root: run it as the postgres user then.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

tmp="$(mktemp -d /tmp/brygga-pg.XXXXXX)"
if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$tmp"
fi

# A free loopback port.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 54329)"

started=""
cleanup() {
    local rc=$?
    if [ -n "$started" ]; then
        as_pg "$bindir/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    if [ "$rc" -ne 0 ] && [ -f "$tmp/server.log" ]; then
        log "server log (last lines):"
        tail -n 30 "$tmp/server.log" >&2 || true
    fi
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT INT TERM

log "initdb in $tmp (PostgreSQL $("$bindir/postgres" --version | awk '{print $3}'))"
as_pg "$bindir/initdb" -D "$tmp/data" -U postgres --auth=trust -E UTF8 --no-instructions >/dev/null
as_pg "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $tmp -c max_connections=200" start >/dev/null
started=1
as_pg "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres brygga_test

export BRYGGA_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/brygga_test"
log "PostgreSQL on 127.0.0.1:$port; BRYGGA_TEST_POSTGRES_URL=$BRYGGA_TEST_POSTGRES_URL"

if [ "$#" -gt 0 ]; then
    "$@"
else
    cargo test -p brygga-server
fi
