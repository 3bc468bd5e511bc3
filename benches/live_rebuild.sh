#!/usr/bin/env bash
# Live rebuild times (issue #14): how long `cargo build --release` takes when only the
# gateway's API is fetched again. Prints numbers (median of RUNS, default 3); asserts
# nothing. Cases:
#   offline, unchanged   no GATEWAY_URL, nothing changed: cargo's no-op
#   demo, unchanged      GATEWAY_URL at the bundled demo gateway, API unchanged
#   synthetic N, unchanged / changed
#                        the synthetic snapshot of N operations (default 200) behind
#                        benches/serve_snapshot.py; "changed" serves a new description
#                        each time, so the generated code changes
# Every build reruns build.rs (cargo cannot watch a URL); only this package's generated
# code and the binary should recompile, never the runtime crate.
#
#   benches/live_rebuild.sh [N]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
n=${1:-200}
runs=${RUNS:-3}
work=$(mktemp -d /tmp/live-rebuild.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.1f", m}'; }

# Starts a server command in the background; echoes its URL (its first stdout line).
serve() {
    local out=$work/serve.$RANDOM
    "$@" >"$out" 2>"$out.err" &
    pids+=($!)
    for _ in $(seq 600); do
        if grep -q '^listening on ' "$out" 2>/dev/null; then
            sed -n 's/^listening on //p' "$out" | head -1
            return
        fi
        sleep 0.5
    done
    echo "live_rebuild: $* printed no 'listening on' line; stderr:" >&2
    cat "$out.err" >&2
    exit 1
}

# build LABEL [ENV...]: one cargo build, its wall time in seconds on stdout.
build() {
    local start
    start=$(now)
    env "$@" cargo build --release --quiet 2>>"$work/build.log" >/dev/null || {
        echo "live_rebuild: cargo build failed ($*); see below" >&2
        tail -20 "$work/build.log" >&2
        exit 1
    }
    python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$start" "$(now)"
}

# time_case LABEL ENV...: warms once, then prints the median of $runs builds.
time_case() {
    local label=$1
    shift
    build "$@" >/dev/null
    local times=()
    for _ in $(seq "$runs"); do times+=("$(build "$@")"); done
    printf '%-36s %6s s   (runs: %s)\n' "$label" "$(printf '%s\n' "${times[@]}" | median)" "${times[*]}"
}

echo "live_rebuild: warming target/ (cargo build --release, the snapshot writer)" >&2
cargo build --release --quiet
cargo build --release --quiet --example synthetic_snapshot
target/release/examples/synthetic_snapshot "$n" "$work/synthetic" 2>/dev/null

echo "live rebuilds on $(nproc) cores, $(date -u +%Y-%m-%d), median of $runs"
time_case "offline, unchanged" GATEWAY_OFFLINE=true

demo=$(serve bash demo-gateway/serve.sh 0)
time_case "demo gateway, unchanged" GATEWAY_URL="$demo"

synthetic=$(serve python3 benches/serve_snapshot.py "$work/synthetic")
time_case "synthetic $n ops, unchanged" GATEWAY_URL="$synthetic"

# Changed: a new server per build, each with another description.
times=()
for i in $(seq "$runs"); do
    url=$(serve python3 benches/serve_snapshot.py "$work/synthetic" --variant "$i")
    times+=("$(build GATEWAY_URL="$url")")
done
printf '%-36s %6s s   (runs: %s)\n' "synthetic $n ops, changed" "$(printf '%s\n' "${times[@]}" | median)" "${times[*]}"

# Leave target/ built from the committed snapshot again.
GATEWAY_OFFLINE=true cargo build --release --quiet
