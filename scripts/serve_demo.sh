#!/usr/bin/env bash
# Print the demo logins and serve the dashboard over the demo database.
# Usage: serve_demo.sh DB [--host H] [--port P] [--workers N]; without them ASSORTMENT_HOST /
# ASSORTMENT_PORT / ASSORTMENT_WORKERS (environment, then .env) decide, else 127.0.0.1:8050 and
# one worker process per core.
set -euo pipefail
db="$1"; shift
while (($#)); do
  case "$1" in
    --host) export ASSORTMENT_HOST="$2"; shift 2 ;;
    --port) export ASSORTMENT_PORT="$2"; shift 2 ;;
    --workers) export ASSORTMENT_WORKERS="$2"; shift 2 ;;
    *) echo "serve_demo.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
export ASSORTMENT_DB="$db"
echo
echo "Demo logins:"
.venv/bin/assortment users demo
echo
echo "The command line on this demo: export ASSORTMENT_DB=$db (then e.g. .venv/bin/assortment status)"
exec .venv/bin/assortment serve
