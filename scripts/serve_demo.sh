#!/usr/bin/env bash
# Serve the dashboard over the demo database (when the dashboard exists).
set -euo pipefail
db="$1"; host="$2"; port="$3"
export ASSORTMENT_DB="$db"
echo
echo "Demo logins for http://$host:$port :"
.venv/bin/assortment users demo
exec .venv/bin/assortment serve --host "$host" --port "$port"
