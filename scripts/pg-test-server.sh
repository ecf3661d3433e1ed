#!/usr/bin/env bash
# A private PostgreSQL server for the tests, listening only on a unix socket in its own folder.
#   scripts/pg-test-server.sh start DIR   initdb in DIR/data, start it, print its SQLAlchemy URL
#   scripts/pg-test-server.sh stop DIR    stop it (DIR can then be removed)
# PostgreSQL refuses to run as root, so as root the server runs as the "postgres" user that
# Debian's package creates. Nothing listens on the network; the cluster is thrown away after.
# fsync is off unless QSORT_PG_FSYNC=on (the tests never cut the power; benchmarks turn it on).
set -euo pipefail
action="${1:?usage: pg-test-server.sh start|stop DIR}"
dir="${2:?usage: pg-test-server.sh start|stop DIR}"
bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$bindir" ]; then
    echo "pg-test-server: PostgreSQL is not installed (run scripts/install-test-deps.sh)" >&2
    exit 1
fi
as_owner=()
if [ "$(id -u)" = "0" ]; then as_owner=(runuser -u postgres --); fi

case "$action" in
start)
    mkdir -p "$dir"
    if [ "$(id -u)" = "0" ]; then chown postgres "$dir"; fi
    "${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
        --no-sync >"$dir/initdb.log"
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -s \
        -o "-c listen_addresses= -k $dir -c max_connections=400 -c fsync=${QSORT_PG_FSYNC:-off}" start
    echo "postgresql+psycopg://postgres@/postgres?host=$dir"
    ;;
stop)
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -w -s -m fast stop || true
    ;;
*)
    echo "usage: pg-test-server.sh start|stop DIR" >&2
    exit 2
    ;;
esac
