#!/usr/bin/env bash
# The suite on SQLite and tests/app on PostgreSQL, side by side: each pytest is one process, so on
# two or more cores this halves `make test`'s wall time. Each run's output is printed whole once
# both have finished (interleaved lines would be unreadable); the exit status fails if either did.
# Usage: .ci/test_backends.sh PYTEST MARKER_EXPRESSION
set -u
pytest=$1
markers=$2
logs=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; exit 130' INT TERM

"$pytest" -m "$markers" >"$logs/sqlite.log" 2>&1 &
sqlite_pid=$!
CHORUS_TEST_BACKEND=postgresql "$pytest" tests/app -m "$markers" >"$logs/postgresql.log" 2>&1 &
postgres_pid=$!

wait "$sqlite_pid"; sqlite_status=$?
wait "$postgres_pid"; postgres_status=$?

echo "== on SQLite (exit $sqlite_status)"
cat "$logs/sqlite.log"
echo "== again on PostgreSQL ($TEST_DATABASE_URL) (exit $postgres_status)"
cat "$logs/postgresql.log"
rm -rf "$logs"
[ "$sqlite_status" = 0 ] && [ "$postgres_status" = 0 ]
