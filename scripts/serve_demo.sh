#!/usr/bin/env bash
# Serve the dashboard over the demo database (when the dashboard exists).
set -euo pipefail
db="$1"; host="$2"; port="$3"
export ASSORTMENT_DB="$db"
if .venv/bin/assortment --help | grep -q serve; then
  .venv/bin/assortment users demo
  exec .venv/bin/assortment serve --host "$host" --port "$port"
fi
echo "demo database built at $db (the dashboard is not part of this build yet)"
