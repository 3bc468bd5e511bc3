#!/usr/bin/env bash
# Serve the realistic fixture on 127.0.0.1:PORT (default 8000) in the foreground.
# Usage: serve.sh [PORT] [serve.py options, e.g. --root-path /api]
# PORT 0 picks a free port; the first stdout line is `listening on http://127.0.0.1:<port>`.
# Uses (and creates if needed) the demo gateway's venv: no packages of its own.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
port="${1:-8000}"
shift || true
bash ../../demo-gateway/setup.sh >&2
# A fixed hash seed keeps FastAPI's choice among duplicate operationIds stable between runs.
export PYTHONHASHSEED="${PYTHONHASHSEED:-0}"
exec ../../demo-gateway/.venv/bin/python serve.py --port "$port" "$@"
