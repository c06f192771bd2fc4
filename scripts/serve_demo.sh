#!/usr/bin/env bash
# Print the demo logins and serve the dashboard over the demo database.
set -euo pipefail
db="$1"; host="$2"; port="$3"
export ASSORTMENT_DB="$db" ASSORTMENT_HOST="$host" ASSORTMENT_PORT="$port"
echo
echo "Demo logins for http://$host:$port :"
.venv/bin/assortment users demo
exec .venv/bin/assortment serve --host "$host" --port "$port"
