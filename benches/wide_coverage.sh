#!/usr/bin/env bash
# Wide coverage (issue #12): does the default profile reach every operation of a large
# API? Starts benches/wide_app.py (a FastAPI app of 5 x GROUPS operations, in memory,
# served by uvicorn on 127.0.0.1) with the demo gateway's venv, builds the product live
# against it, runs the README's command with no flags but a results folder (the `light`
# profile: 5 paced users, 60 s), and prints the run's coverage, 2xx and cleanup lines
# and what the app still holds afterwards, counted through its own list endpoints.
# Asserts nothing; prints numbers. Leaves target/ built against the wide app: the next
# build without GATEWAY_URL goes back to the committed snapshot.
#
#   benches/wide_coverage.sh [GROUPS] [-- GOOSE FLAGS]     GROUPS: 38 (190 operations)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
groups=38
if [ $# -gt 0 ] && [ "$1" != "--" ]; then groups=$1; shift; fi
[ "${1:-}" != "--" ] || shift
bash demo-gateway/setup.sh >/dev/null
work=$(mktemp -d /tmp/wide.XXXXXX)
app_pid=
cleanup() {
    [ -z "$app_pid" ] || kill "$app_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

demo-gateway/.venv/bin/python benches/wide_app.py --groups "$groups" >"$work/app.out" 2>"$work/app.err" &
app_pid=$!
url=
for _ in $(seq 100); do
    url=$(sed -n 's/^listening on //p' "$work/app.out")
    [ -z "$url" ] || break
    sleep 0.2
done
[ -n "$url" ] || { echo "wide_coverage: the app did not start:" >&2; cat "$work/app.err" >&2; exit 1; }
until curl -sf "$url/openapi.json" >/dev/null; do sleep 0.2; done

# What the app holds: the items of every kind, through its list endpoints.
held() {
    local n=0 k
    for k in $(seq 0 $((groups - 1))); do
        n=$((n + $(curl -sf "$url/things$k?limit=100" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')))
    done
    echo "$n"
}

echo "wide_coverage: $((5 * groups)) operations at $url; building live"
start=$(date +%s.%N)
GATEWAY_URL=$url cargo build --release --quiet
echo "wide_coverage: live build $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s"
before=$(held)
GATEWAY_URL=$url timeout 300 ./target/release/gateway-loadtest --results-dir "$work/results" "$@" \
    >"$work/run.log" 2>&1 || { echo "wide_coverage: the run failed:" >&2; tail -20 "$work/run.log" >&2; exit 1; }
after=$(held)
grep -E '^gateway-loadtest: (light profile|warm-up|operations|cleanup)|^overall:|^Aggregated' "$work/run.log"
echo "wide_coverage: the app held $before item(s) before the run and $after after"
