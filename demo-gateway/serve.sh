#!/usr/bin/env bash
# Serve the Demo Gateway on 127.0.0.1:PORT (default 8000) in the foreground.
# PORT 0 picks a free port; the first stdout line is `listening on http://127.0.0.1:<port>`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
port="${1:-8000}"
bash ./setup.sh >&2
# A fixed hash seed keeps FastAPI's choice among duplicate operationIds stable between runs.
export PYTHONHASHSEED="${PYTHONHASHSEED:-0}"
exec .venv/bin/python serve.py --port "$port"
