#!/usr/bin/env bash
# Start the web server and one Celery worker with embedded beat; Ctrl-C stops both.
set -euo pipefail
BIN=${BIN:-.venv/bin}
PORT=${PORT:-8000}
# Links in demo emails and texts point at this server unless SITE_URL says otherwise.
export SITE_URL=${SITE_URL:-http://127.0.0.1:$PORT}

echo "Demo logins (role, email, password):"
"$BIN/python" manage.py seed_demo | sed 's/^/  /'

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop INT TERM EXIT

"$BIN/celery" -A b12tracker worker --beat --concurrency 1 --loglevel WARNING \
  --hostname "worker@%h" &
pids+=($!)
"$BIN/python" manage.py runserver --noreload "127.0.0.1:$PORT" &
pids+=($!)

echo
echo "B12 Tracker is starting on http://127.0.0.1:$PORT/  (Ctrl-C stops it)"
wait -n "${pids[@]}"
