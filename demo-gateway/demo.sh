#!/usr/bin/env bash
# The demo in one command: build gateway-loadtest, serve the demo gateway on a free
# loopback port, load-test it, stop it. Extra arguments go to gateway-loadtest and
# replace the default shape (10 users for 30 s), e.g. `demo-gateway/demo.sh --profile medium`.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

echo "demo: building gateway-loadtest (the first build takes several minutes)" >&2
cargo build --release --quiet

log="$(mktemp)"
bash demo-gateway/serve.sh 0 >"$log" &
gateway=$!
trap 'kill "$gateway" 2>/dev/null || true; wait "$gateway" 2>/dev/null || true; rm -f "$log"' EXIT

url=""
for _ in $(seq 1 600); do
    url="$(sed -n 's/^listening on //p' "$log")"
    [ -n "$url" ] && break
    kill -0 "$gateway" 2>/dev/null || { echo "demo: the demo gateway did not start" >&2; exit 1; }
    sleep 0.5
done
[ -n "$url" ] || { echo "demo: the demo gateway did not start within 300 s" >&2; exit 1; }
echo "demo: demo gateway at $url" >&2

if [ "$#" -eq 0 ]; then
    set -- --users 10 --increase-rate 5 --run-time 30s
fi
GATEWAY_URL="$url" ./target/release/gateway-loadtest --no-telnet "$@"
