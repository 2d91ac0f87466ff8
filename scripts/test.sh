#!/usr/bin/env bash
# M3's whole test gate: install what the tests need into .venv, run ruff and mypy, then the
# suite on the embedded default (SQLite + DuckDB) and again on PostgreSQL (app DB and facts).
# A PostgreSQL server is started on a temporary data dir and a free port when pg_ctl and initdb
# are installed and M3_TEST_PG_URL is not already set; otherwise the PostgreSQL run is skipped.
# Options: --no-semantic (skip the sentence-embedding extra), extra args go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

semantic=1
pytest_args=()
for arg in "$@"; do
  case "$arg" in
    --no-semantic) semantic=0 ;;
    *) pytest_args+=("$arg") ;;
  esac
done

python=${PYTHON:-python3.11}
command -v "$python" >/dev/null 2>&1 || python=python3
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
extras="test"
[ "$semantic" = 1 ] && extras="test,semantic"
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[$extras]"
export PATH="$PWD/.venv/bin:$PATH"

echo "== ruff"
ruff check .
echo "== mypy"
mypy m3
echo "== import-linter (the layers of docs/architecture.md)"
lint-imports

pg_tmp=""
stop_pg() {
  if [ -n "$pg_tmp" ]; then
    as_pg pg_ctl -D "$pg_tmp/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_tmp"
  fi
}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
trap stop_pg EXIT

if [ -z "${M3_TEST_PG_URL:-}" ] && command -v pg_ctl >/dev/null 2>&1; then
  initdb=$(dirname "$(readlink -f "$(command -v pg_ctl)")")/initdb
  [ -x "$initdb" ] || initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -n 1)
  if [ -n "$initdb" ] && [ -x "$initdb" ]; then
    pg_tmp=$(mktemp -d /tmp/m3-pg.XXXXXX)
    [ "$(id -u)" = 0 ] && chown postgres "$pg_tmp"
    port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_pg "$initdb" -D "$pg_tmp/data" -A trust -U postgres >/dev/null
    as_pg pg_ctl -D "$pg_tmp/data" -o "-p $port -k $pg_tmp -c listen_addresses=127.0.0.1 -c fsync=off" \
      -l "$pg_tmp/log" -w start >/dev/null
    export M3_TEST_PG_URL="postgresql://postgres@127.0.0.1:$port/postgres"
    echo "== PostgreSQL started on port $port"
  fi
fi

echo "== pytest: SQLite app DB + DuckDB facts"
pytest --cov=m3 --cov-report=term:skip-covered "${pytest_args[@]}"

if [ -n "${M3_TEST_PG_URL:-}" ]; then
  base=${M3_TEST_PG_URL%/*}
  for db in m3_app m3_facts; do
    .venv/bin/python - "$M3_TEST_PG_URL" "$db" <<'PY'
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as con:
    con.execute(f"DROP DATABASE IF EXISTS {sys.argv[2]} WITH (FORCE)")
    con.execute(f"CREATE DATABASE {sys.argv[2]}")
PY
  done
  echo "== pytest: PostgreSQL app DB + PostgreSQL facts"
  M3_DATABASE_URL="$base/m3_app" M3_FACTS_URL="$base/m3_facts" \
    pytest -m "not spark and not browser and not semantic" "${pytest_args[@]}"
else
  echo "== PostgreSQL run skipped: install PostgreSQL (pg_ctl, initdb) or set M3_TEST_PG_URL"
fi
