#!/usr/bin/env bash
# Follows the README's "On your own gateway" section as written, against the own-gateway
# fixture (tests/own_gateway/app.py) on a free loopback port, and checks what it promises:
# discover finds every operation with GATEWAY_PREFIXES; each run writes validity.md,
# coverage.md and cleanup.json; cleanup.json accounts for everything the app still holds
# (left behind + created but not tracked = the app's own count). Then the README's
# `[[links.add]]` with `role = "delete"` for the catalog's `{sku}`: discover shows the
# delete, and a run leaves nothing behind.
#
# The section's commands run with four changes only: the fixture's URL for
# http://127.0.0.1:8000, `--run-time $RUN_TIME` (default 6s) for 60s, `--results-dir` in a
# temporary folder, and a target folder of its own (OWN_TARGET_DIR, default
# target/own-gateway, seeded once from SEED_DIR, default target/release, so only this
# package is rebuilt), so the binary built against the fixture never replaces the demo
# build the tests use.
# Usage: tests/own_gateway/follow_readme.sh   (exit 0 when every check passes)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
run_time="${RUN_TIME:-6s}"
# Never the tests' own target folder: the build against the fixture would replace their binary.
export CARGO_TARGET_DIR="${OWN_TARGET_DIR:-$repo/target/own-gateway}"
seed="${SEED_DIR:-$repo/target/release}"
unset GATEWAY_LOADTEST_CONFIG GATEWAY_TOKEN GATEWAY_HEADERS BENCHMARK_HOST GATEWAY_OFFLINE
work="$(mktemp -d "${TMPDIR:-/tmp}/follow-readme.XXXXXX")"
server=""
cleanup() {
    if [ -n "$server" ]; then
        kill -TERM -- "-$server" 2>/dev/null || kill -TERM "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "follow_readme: FAIL: $*" >&2
    exit 1
}

# The section's commands: the indented lines between its heading and the next one.
mapfile -t commands < <(awk '/^## On your own gateway/{on=1; next} /^## /{on=0} on && /^       +[^ ]/' README.md | sed 's/^ *//')
[ "${#commands[@]}" -eq 3 ] || fail "expected 3 commands in the README's 'On your own gateway' section, found ${#commands[@]}: ${commands[*]}"

# The fixture, on a free port (serve.sh prints the port first).
setsid bash tests/own_gateway/serve.sh 0 >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 1 600); do
    grep -q '^listening on ' "$work/serve.out" 2>/dev/null && break
    kill -0 "$server" 2>/dev/null || fail "the fixture stopped: $(tail -5 "$work/serve.err")"
    sleep 0.5
done
url="$(sed -n 's/^listening on //p' "$work/serve.out" | head -1)"
[ -n "$url" ] || fail "the fixture printed no port within 300 s"
echo "follow_readme: fixture at $url, target $CARGO_TARGET_DIR"

# A target folder of its own, seeded from the main build's dependencies.
if [ ! -d "$CARGO_TARGET_DIR/release/deps" ] && [ -d "$seed/deps" ]; then
    echo "follow_readme: seeding $CARGO_TARGET_DIR from $seed"
    mkdir -p "$CARGO_TARGET_DIR/release"
    cp -a "$seed/build" "$seed/.fingerprint" "$seed/deps" "$CARGO_TARGET_DIR/release/"
fi

# Runs one README command with the four changes; its output goes to $work/<name>.out/.err.
run() {
    local name="$1" command="$2"
    command="${command//http:\/\/127.0.0.1:8000/$url}"
    command="${command//--run-time 60s/--run-time $run_time}"
    command="${command//.\/target\//$CARGO_TARGET_DIR/}"
    command="$command --results-dir $work/results-$name"
    echo "follow_readme: $name: $command"
    local started=$SECONDS
    if ! timeout 900 bash -c "$command" >"$work/$name.out" 2>"$work/$name.err"; then
        tail -30 "$work/$name.err" >&2
        fail "$name: the command failed: $command"
    fi
    echo "follow_readme: $name took $((SECONDS - started)) s"
}

# What cleanup.json accounts for, and what the app holds, as "accounted held".
accounts() {
    local folder="$1"
    python3 - "$folder" "$url" <<'EOF'
import json, sys, urllib.request
folder, url = sys.argv[1], sys.argv[2]
cleanup = json.load(open(f"{folder}/cleanup.json"))
accounted = len(cleanup["left_behind"]) + sum(u["count"] for u in cleanup["untracked"])
held = sum(json.load(urllib.request.urlopen(f"{url}/_fixture/inventory")).values())
unlinked = sum(u["count"] for u in cleanup["unlinked_deletes"])
print(accounted, held, unlinked)
EOF
}

# The one run folder under $1.
run_folder() {
    local folders=("$1"/*/)
    [ "${#folders[@]}" -eq 1 ] && [ -d "${folders[0]}" ] || fail "expected one run folder in $1"
    echo "${folders[0]%/}"
}

# 1. discover finds every operation of the mounted apps.
run discover "${commands[0]}"
python3 - "$work/discover.out" <<'EOF' || fail "discover did not list every operation"
import json, sys
report = json.load(open(sys.argv[1]))
found = {(op["method"], op["path"]) for app in report["apps"] for op in app["operations"]}
want = {("GET", "/health"), ("POST", "/users/"), ("GET", "/users/"), ("GET", "/users/{user_id}"),
        ("PUT", "/users/{user_id}"), ("DELETE", "/users/{user_id}"), ("POST", "/catalog/products"),
        ("GET", "/catalog/products"), ("GET", "/catalog/products/{sku}"),
        ("DELETE", "/catalog/products/{sku}")}
missing = want - found
if missing:
    sys.exit(f"missing: {sorted(missing)}")
EOF
grep -q "found only the root app" "$work/discover.err" && fail "discover warned that only the root was found"

# 2. The short load (built against the fixture), then the binary again without rebuilding.
held_before=0
for step in 1 2; do
    name="run$step"
    run "$name" "${commands[$step]}"
    folder="$(run_folder "$work/results-$name")"
    for report in validity.md coverage.md cleanup.json; do
        [ -s "$folder/$report" ] || fail "$name wrote no $report in $folder"
    done
    grep -q "gateway-loadtest: cleanup swept" "$work/$name.err" || fail "$name printed no cleanup line"
    read -r accounted held unlinked < <(accounts "$folder")
    # What this run left (the app's count grew by it) is what its cleanup.json accounts
    # for; less only when cleanup.json says deletes it could not tie to a resource ran.
    grown=$((held - held_before))
    if [ "$grown" -ne "$accounted" ] && { [ "$grown" -gt "$accounted" ] || [ "$unlinked" -eq 0 ]; }; then
        fail "$name: cleanup.json accounts for $accounted resource(s), the app holds $grown more: $(cat "$folder/cleanup.json")"
    fi
    echo "follow_readme: $name: the app holds $grown more, cleanup.json accounts for $accounted ($unlinked unlinked delete(s))"
    held_before=$held
done
grep -q "/catalog/products" "$(run_folder "$work/results-run1")/validity.md" ||
    fail "run1 did not load the catalog"

# 3. The catalog keyed by {sku}, linked in a configuration file with its delete.
config="$work/gateway-loadtest.toml"
for consumer in "GET /catalog/products/{sku}" "DELETE /catalog/products/{sku}"; do
    role=""
    [ "${consumer%% *}" = DELETE ] && role='role = "delete"'
    printf '[[links.add]]\nproducer = "POST /catalog/products"\nfield = "sku"\nconsumer = "%s"\nparameter = "sku"\n%s\n' \
        "$consumer" "$role" >>"$config"
done
export GATEWAY_LOADTEST_CONFIG="$config"
run linked-discover "${commands[0]}"
python3 - "$work/linked-discover.out" <<'EOF' || fail "discover does not show the configured delete"
import json, sys
report = json.load(open(sys.argv[1]))
ops = {(op["method"], op["path"]): op for app in report["apps"] for op in app["operations"]}
delete = ops[("DELETE", "/catalog/products/{sku}")]
create = ops[("POST", "/catalog/products")]
# The create makes a product keyed by its sku, and the DELETE is that product's.
produces = create.get("produces") or {}
if produces.get("id") != {"field": "sku"} or delete.get("deletes") != produces.get("resource"):
    sys.exit(f"delete: {delete}; create: {create}")
EOF
run linked-run "${commands[1]}"
folder="$(run_folder "$work/results-linked-run")"
python3 - "$folder/report.json" <<'EOF' || fail "the linked run made and deleted no product"
import json, sys
requests = json.load(open(sys.argv[1]))["raw_metrics"]["requests"]
for key in ("POST /catalog/products", "DELETE /catalog/products/{sku}"):
    if requests.get(key, {}).get("success_count", 0) == 0:
        sys.exit(f"{key}: {requests.get(key)}")
EOF
python3 - "$folder/cleanup.json" <<'EOF' || fail "the linked run left something behind"
import json, sys
cleanup = json.load(open(sys.argv[1]))
if cleanup["left_behind"] or cleanup["untracked"] or cleanup["unlinked_deletes"]:
    sys.exit(json.dumps(cleanup))
EOF
read -r accounted held unlinked < <(accounts "$folder")
[ "$accounted" -eq 0 ] && [ "$unlinked" -eq 0 ] || fail "the linked run: $(cat "$folder/cleanup.json")"
[ "$held" -eq "$held_before" ] || fail "the linked run changed what the app holds: $held_before -> $held"
grep -q "no DELETE operation" "$work/linked-run.err" && fail "the linked run reported a missing DELETE"
echo "follow_readme: ok (the linked run deleted every product it made; the app holds $held, all accounted for)"
