#!/usr/bin/env bash
# Real apps: load-test third-party FastAPI apps from PyPI with the generated scenarios,
# and say how much of each app's API the tool reaches and what it leaves behind.
#
# For each app (benches/real_apps/<app>.sh says how): installs its venv when missing
# (pinned benches/real_apps/<app>.requirements.txt, outside git in $REAL_APPS_DIR),
# starts it on 127.0.0.1:<free port> with its data (SQLite) in a temp folder and its
# telemetry off, waits for its openapi.json, logs in and exports the credential as the
# tool reads it (GATEWAY_TOKEN or GATEWAY_HEADERS), lists its resources through its own
# API, runs the tool LIVE against it
#
#   GATEWAY_URL=<app> cargo run --release -- --scenarios 'generated*' --no-wait \
#       --users $USERS --run-time $RUN_TIME --no-telnet --quiet --results-dir <tmp> [GOOSE FLAGS]
#
# then lists the resources again and prints, per app: operations in its OpenAPI
# document, operations called, operations with a 2xx, shares of 2xx/404/409/422/other
# 4xx/5xx/no answer (status 0) among all responses, resources left behind (after minus
# before, per kind, through the app's list endpoints, not the tool's ledger), the
# operations that never got a 2xx, and one sampled request of the busiest of them sent
# again with the gist of the answer; stops the app; and ends with a markdown table.
#
# Each app runs (server and load tester) in a network namespace of its own that has only
# loopback (unshare --net; root or user namespaces): nothing the load makes it fetch can
# leave the machine. Installs happen outside it.
#
#   benches/real_apps.sh                  # every app
#   benches/real_apps.sh zenml langflow   # some apps
#   benches/real_apps.sh --list           # the apps, their versions and how they start
#   RUN_TIME=30s USERS=5 benches/real_apps.sh zenml -- --seed 7   # Goose flags after --
#
# Environment: USERS (5), RUN_TIME (60s), PACED=1 (users think 0.5-2 s between
# operations, as the light profile does, instead of --no-wait), REAL_APPS_DIR (~/.cache/gateway-loadtest/
# real-apps), START_TIMEOUT (180 s), PYTHON (python3, 3.11+), KEEP=1 keeps each temp
# folder (server log, spec, report.json, resource lists), DIAGNOSE (8 requests replayed
# per app; 0 for none), REAL_APPS_NETNS=0 (no namespace: proxies pointed at a closed
# port instead), CARGO_TARGET_DIR as usual.
# Load only ever goes to 127.0.0.1 and stops after RUN_TIME. Needs curl, python3 with
# venv, cargo; the first install of an app downloads its packages from PyPI.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HERE=$ROOT/benches/real_apps
APPS_DIR=${REAL_APPS_DIR:-$HOME/.cache/gateway-loadtest/real-apps}
USERS=${USERS:-5}
RUN_TIME=${RUN_TIME:-60s}
START_TIMEOUT=${START_TIMEOUT:-180}
PYTHON=${PYTHON:-python3}
KEEP=${KEEP:-0}
TALLY=("$PYTHON" "$HERE/tally.py")

die() { echo "real_apps: $*" >&2; exit 1; }
say() { echo "real_apps: $*" >&2; }

all_apps() {
    local f
    for f in "$HERE"/*.sh; do basename "$f" .sh; done
}

usage() {
    cat <<'EOF'
usage: benches/real_apps.sh [--list] [APP...] [-- GOOSE FLAGS...]

  APP      one of the apps in benches/real_apps/ (all when none is named)
  --list   print the apps: version, how each starts, how it authenticates
  -- ...   flags passed through to the load tester (Goose's and ours)

Environment: USERS (5), RUN_TIME (60s), REAL_APPS_DIR, START_TIMEOUT (180), KEEP=1,
DIAGNOSE (8), REAL_APPS_NETNS=0.
EOF
}

apps=() goose_args=() list=0 in_netns=
while (($#)); do
    case $1 in
    -h | --help) usage; exit 0 ;;
    --list) list=1 ;;
    --in-netns) in_netns=$2; shift ;; # internal: run one installed app (see the end)
    --) shift; goose_args+=("$@"); break ;;
    -*) goose_args+=("$1") ;;
    *)
        [[ -f $HERE/$1.sh ]] || die "unknown app '$1'; the apps are: $(all_apps | tr '\n' ' ')"
        apps+=("$1") ;;
    esac
    shift
done
((${#apps[@]})) || [[ -n $in_netns ]] || mapfile -t apps < <(all_apps)

# Each benches/real_apps/<app>.sh defines, when sourced:
#   APP_VERSION        the pinned top-level requirement (for --list and the table)
#   APP_DESCRIPTION    one line: how it starts and authenticates
#   APP_USERNAME, APP_PASSWORD  (optional) the tool logs in with them through the
#                      spec's OAuth2 password flow instead of using app_auth's token
#   app_start PORT DIR run the server in the foreground, bound to 127.0.0.1:PORT, data in DIR
#   app_auth URL DIR   export GATEWAY_TOKEN or GATEWAY_HEADERS (may create users, keys);
#                      called again after the run, so it must work twice
#   app_kinds          print `kind<TAB>GET path` lines: the list endpoints of its resources
#   app_cannot_succeed (optional) print `METHOD /path-glob<TAB>reason` lines: operations
#                      no request can make succeed on this install (a server bug, a
#                      feature its configuration turns off), counted apart with the reason
load_app() {
    unset -f app_start app_auth app_kinds app_cannot_succeed
    unset APP_VERSION APP_DESCRIPTION APP_USERNAME APP_PASSWORD
    # shellcheck source=/dev/null
    source "$HERE/$1.sh"
    VENV=$APPS_DIR/$1
}

if ((list)); then
    for app in "${apps[@]}"; do
        load_app "$app"
        printf '%-10s %-28s %s\n' "$app" "$APP_VERSION" "$APP_DESCRIPTION"
    done
    exit 0
fi

command -v curl >/dev/null || die "curl not found (apt-get install curl)"
command -v cargo >/dev/null || die "cargo not found: install Rust"
"$PYTHON" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
    || die "$PYTHON must be Python 3.11+ with its venv module (apt-get install python3-venv)"

req_hash() { sha256sum "$1" | cut -d' ' -f1; }

# Creates $VENV from benches/real_apps/<app>.requirements.txt (every package pinned,
# installed with --no-deps so the set is exactly the file's) unless its stamp matches.
install_app() {
    local app=$1 req=$HERE/$1.requirements.txt stamp=$VENV/.requirements.sha256
    [[ -f $req ]] || die "$app: $req is missing"
    if [[ -x $VENV/bin/python && -f $stamp && "$(cat "$stamp")" == "$(req_hash "$req")" ]]; then
        return 0
    fi
    mkdir -p "$APPS_DIR"
    exec 9>"$APPS_DIR/.$app.lock"
    flock 9
    if [[ -x $VENV/bin/python && -f $stamp && "$(cat "$stamp")" == "$(req_hash "$req")" ]]; then
        exec 9>&-
        return 0
    fi
    say "$app: installing $APP_VERSION into $VENV (pinned $(grep -c '==' "$req") packages; several minutes the first time)"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" || die "$app: python3 -m venv $VENV failed (apt-get install python3-venv)"
    if ! "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q \
        --no-deps -r "$req" >"$APPS_DIR/$app.install.log" 2>&1; then
        tail -n 20 "$APPS_DIR/$app.install.log" >&2
        rm -rf "$VENV"
        die "$app: pip install of $req failed (log: $APPS_DIR/$app.install.log)"
    fi
    "$VENV/bin/python" -m pip check --disable-pip-version-check >>"$APPS_DIR/$app.install.log" 2>&1 \
        || say "$app: pip check reports conflicts (see $APPS_DIR/$app.install.log); going on"
    req_hash "$req" >"$stamp"
    exec 9>&-
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

SERVER_PID=
WORK=
stop_app() {
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        # The server runs in its own session (setsid): end its whole process group.
        kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
        local i
        for i in $(seq 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=
    if [[ -n $WORK && -d $WORK ]]; then
        if [[ $KEEP == 1 ]]; then say "kept $WORK"; else rm -rf "$WORK"; fi
    fi
    WORK=
}
# Runs one app; any failure returns non-zero with a message (the caller records the
# app as failed and goes on with the next one).
run_app() {
    local app=$1
    trap stop_app EXIT
    trap 'stop_app; exit 130' INT TERM
    load_app "$app"
    WORK=$(mktemp -d "/tmp/real-apps-$app.XXXXXX")
    local port url
    port=$(free_port)
    url=http://127.0.0.1:$port
    mkdir -p "$WORK/data"
    say "$app: starting $APP_VERSION at $url (data in $WORK/data)"
    (
        cd "$WORK/data"
        export HOME=$WORK/data PATH=$VENV/bin:$PATH VIRTUAL_ENV=$VENV
        # Telemetry and update checks off for every app (their own variables are in
        # their app file): no traffic leaves the machine.
        export DO_NOT_TRACK=1 ANONYMIZED_TELEMETRY=False HF_HUB_OFFLINE=1 \
            HF_HUB_DISABLE_TELEMETRY=1 TRANSFORMERS_OFFLINE=1 SCARF_NO_ANALYTICS=true
        exec setsid bash -c "source '$HERE/$app.sh'; VENV='$VENV'; app_start $port '$WORK/data'"
    ) >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    local deadline=$((SECONDS + START_TIMEOUT))
    until curl -sf -o "$WORK/openapi.json" "$url/openapi.json"; do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            tail -n 30 "$WORK/server.log" >&2
            say "$app: the server exited before serving /openapi.json (log above)"
            return 1
        fi
        if ((SECONDS > deadline)); then
            tail -n 30 "$WORK/server.log" >&2
            say "$app: no /openapi.json at $url after ${START_TIMEOUT}s (log above)"
            return 1
        fi
        sleep 1
    done
    unset GATEWAY_TOKEN GATEWAY_HEADERS
    app_auth "$url" "$WORK/data" || { say "$app: authentication failed"; return 1; }
    app_kinds >"$WORK/kinds.tsv"
    "${TALLY[@]}" list "$url" "$WORK/kinds.tsv" "$WORK/before.json"
    say "$app: $("${TALLY[@]}" ops "$WORK/openapi.json") operations; resources before: $("$PYTHON" -c '
import json, sys; d = json.load(open(sys.argv[1]))
print(", ".join(f"{k} {v}" for k, v in d.items() if v) or "none")' "$WORK/before.json")"

    say "$app: load test, $USERS users for $RUN_TIME (build against the live app first)"
    local rc=0
    local pace=(--no-wait)
    [[ ${PACED:-0} == 1 ]] && pace=()
    (
        # An app that declares its password flow (APP_USERNAME/APP_PASSWORD in its
        # script) is logged in by the tool itself, as a user would run it.
        if [[ -n ${APP_USERNAME:-} ]]; then
            unset GATEWAY_TOKEN
            export GATEWAY_USERNAME=$APP_USERNAME GATEWAY_PASSWORD=$APP_PASSWORD
        fi
        GATEWAY_URL=$url exec nice -n 5 cargo run --release --offline -q -- --scenarios 'generated*' \
            ${pace[@]+"${pace[@]}"} --users "$USERS" --run-time "$RUN_TIME" --no-telnet --quiet \
            --results-dir "$WORK/results" ${goose_args[@]+"${goose_args[@]}"}
    ) >"$WORK/run.log" 2>&1 || rc=$?
    local report
    report=$(find "$WORK/results" -name report.json 2>/dev/null | head -n 1)
    if [[ -z $report ]]; then
        tail -n 30 "$WORK/run.log" >&2
        say "$app: the load test wrote no report.json (exit $rc; log above)"
        return 1
    fi
    ((rc == 0)) || say "$app: the load tester exited $rc (its report is still read)"
    grep -h "operations reached\|warning: Generated" "$WORK/run.log" >&2 || true
    cp "$report" "$WORK/report.json"

    # Log in again: the load may have signed the token out (a logout operation) or
    # changed the session; the count after must not fail for that.
    app_auth "$url" "$WORK/data" || say "$app: logging in again after the run failed; listing with the old credential"
    "${TALLY[@]}" list "$url" "$WORK/kinds.tsv" "$WORK/after.json"
    local row
    # Operations no request can make succeed on this install (a server bug, a feature
    # its configuration turns off), each with its reason: counted apart.
    : >"$WORK/cannot.tsv"
    if declare -F app_cannot_succeed >/dev/null; then app_cannot_succeed >"$WORK/cannot.tsv"; fi
    row=$("${TALLY[@]}" summary "$APP_VERSION" "$WORK/openapi.json" "$WORK/report.json" \
        "$WORK/before.json" "$WORK/after.json" "$WORK/cannot.tsv")
    echo "$row" >>"$ROWS"
    "$PYTHON" - "$row" <<'EOF'
import json, sys
r = json.loads(sys.argv[1]); s = r["shares"]
left = {k: v for k, v in r["left_behind"].items() if v}
print(f"{r['app']}: {r['operations']} operations, {r['called']} called, {r['with_2xx']} with a 2xx; "
      f"{r['requests']:,} requests: " + ", ".join(f"{k} {100*v:.1f}%" for k, v in s.items() if v)
      + f"; left behind: {json.dumps(left) if left else 'nothing'}")
if r["cannot_succeed"]:
    print(f"  left out, cannot succeed here: {len(r['cannot_succeed'])} operation(s); of the rest, "
          f"{r['rest_with_2xx']}/{r['rest_called']} called got a 2xx, and "
          f"{100*r['rest_2xx_of_not_5xx']:.1f}% of their answers that were not 5xx were 2xx")
    for op, why in list(r["cannot_succeed"].items())[:12]:
        print(f"    {op}: {why}")
if r["other_names"]:
    print(f"  requests not named after a documented operation: {', '.join(r['other_names'][:10])}")
EOF
    "${TALLY[@]}" failures "$WORK/openapi.json" "$WORK/report.json" 12

    # Why they fail: one request of each of the busiest operations that never got a
    # 2xx, drawn by the tool's `sample` and sent again here (after the leftover count),
    # with the status and the gist of the answer (the `loc` of each 422 error).
    # The binary just built for this app (cargo run would rebuild: the token changed).
    local op n=${DIAGNOSE:-8} bin=${CARGO_TARGET_DIR:-$ROOT/target}/release/gateway-loadtest
    if ((n > 0)) && [[ -x $bin ]]; then
        say "$app: one sampled request of each of the $n busiest operations without a 2xx, replayed:"
        while IFS= read -r op; do
            GATEWAY_URL=$url "$bin" sample "$op" -n 1 --seed "$RANDOM" 2>/dev/null \
                | "${TALLY[@]}" replay || true
        done < <("${TALLY[@]}" worst "$WORK/openapi.json" "$WORK/report.json" "$n")
    fi
    stop_app
}

# Inside the app's own network namespace (only loopback): run it and measure it.
if [[ -n $in_netns ]]; then
    [[ -f $HERE/$in_netns.sh ]] || die "unknown app '$in_netns'"
    [[ -n ${ROWS:-} ]] || die "--in-netns is internal to real_apps.sh"
    if [[ ${REAL_APPS_NETNS:-} == 1 ]]; then
        ip link set lo up 2>/dev/null || "$PYTHON" -c '
import fcntl, socket, struct
s = socket.socket()
flags = struct.unpack("16sH", fcntl.ioctl(s, 0x8913, struct.pack("16sH", b"lo", 0)))[1]
fcntl.ioctl(s, 0x8914, struct.pack("16sH", b"lo", flags | 1))' \
            || die "cannot bring loopback up in the network namespace"
    fi
    cd "$ROOT"
    run_app "$in_netns"
    exit 0
fi

ROWS=$(mktemp /tmp/real-apps-rows.XXXXXX)
trap 'rm -f "$ROWS"' EXIT
export ROWS USERS RUN_TIME START_TIMEOUT PYTHON KEEP REAL_APPS_DIR=$APPS_DIR

# Builds once up front (offline, from the committed snapshot), so a broken build stops
# the script before any app is installed, and the live runs (in namespaces without a
# network) find every crate; each live run then recompiles only this crate.
cd "$ROOT"
say "building the load tester (cargo build --release)"
GATEWAY_OFFLINE=true cargo build --release -q 2>&1 | tail -n 30 >&2 \
    || die "cargo build --release failed (output above)"

# Each app runs in a network namespace of its own with only loopback (unshare --net,
# as root or in a user namespace): whatever the load makes it fetch (URLs in bodies,
# model catalogues, update checks) cannot leave the machine. Where no namespace can be
# made (REAL_APPS_NETNS=0 forces this), the app runs here with HTTP(S)_PROXY pointing
# at a closed local port, which most Python HTTP clients honour.
netns=()
if [[ ${REAL_APPS_NETNS:-1} != 0 ]]; then
    if unshare --net true 2>/dev/null; then
        netns=(unshare --net)
    elif unshare --user --map-root-user --net true 2>/dev/null; then
        netns=(unshare --user --map-root-user --net)
    else
        say "cannot make a network namespace (unshare --net): the apps run with HTTP(S)_PROXY=http://127.0.0.1:9 instead"
    fi
fi

for app in "${apps[@]}"; do
    # Install (needs PyPI) outside the namespace, then run and measure inside it; each in
    # a subshell or child, not tested by `if` (which would switch set -e off inside it).
    set +e
    (
        set -e
        load_app "$app"
        install_app "$app"
    )
    rc=$?
    if ((rc == 0)); then
        if ((${#netns[@]})); then
            REAL_APPS_NETNS=1 "${netns[@]}" bash "$ROOT/benches/real_apps.sh" --in-netns "$app" \
                -- ${goose_args[@]+"${goose_args[@]}"}
        else
            HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 \
                http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 \
                NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost \
                REAL_APPS_NETNS=0 bash "$ROOT/benches/real_apps.sh" --in-netns "$app" \
                -- ${goose_args[@]+"${goose_args[@]}"}
        fi
        rc=$?
    fi
    set -e
    ((rc == 130)) && exit 130
    if ((rc != 0)); then
        echo "{\"app\": \"$app\", \"failed\": \"exit $rc, see the messages above\"}" >>"$ROWS"
        say "$app: FAILED (exit $rc)"
    fi
done

echo
"${TALLY[@]}" table "$ROWS" "$(date -u +%Y-%m-%d)" "$USERS" "$RUN_TIME"
