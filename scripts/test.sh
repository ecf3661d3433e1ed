#!/usr/bin/env bash
# The README's test command: install everything the tests need, then run linters and the suite.
# Works on a fresh machine (Python 3.11+, root for apt-get) and is what CI runs (.ci/run).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/install-test-deps.sh
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy (strict)"
.venv/bin/mypy
echo "== PostgreSQL (a private server for this run, on a unix socket)"
pg_dir="$(mktemp -d /tmp/qsort-test-pg.XXXXXX)"
chmod 755 "$pg_dir"
stop_pg() { bash scripts/pg-test-server.sh stop "$pg_dir" >/dev/null 2>&1 || true; rm -rf "$pg_dir"; }
trap stop_pg EXIT
QSORT_TEST_POSTGRES_URL="$(bash scripts/pg-test-server.sh start "$pg_dir")"
export QSORT_TEST_POSTGRES_URL
echo "$QSORT_TEST_POSTGRES_URL"
echo "== pytest (app tests on SQLite and on PostgreSQL)"
.venv/bin/python -m pytest "$@"
