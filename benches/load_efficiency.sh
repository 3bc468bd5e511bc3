#!/usr/bin/env bash
# Load efficiency: how much of one CPU core the load generator spends per request.
#
# Starts nginx on 127.0.0.1 (its own config and prefix in a temp folder, no system
# service) answering the demo gateway's routes with small fixed JSON bodies, then runs,
# interleaved and repeated, with the generator pinned to one core and nginx (and this
# script) on the other:
#
#   wrk        wrk -t1 -c<users> on GET /health (the floor: a C client)
#   bare       --scenarios 'bare*'      Goose's own client, GET /health, body read
#   static     --scenarios 'static*'    the hand-written personas
#   generated  --scenarios 'generated*' the transactions generated from the OpenAPI snapshot
#
# and prints, for each, requests per second and requests per CPU-second of the generator
# process, with the CPU per request relative to bare Goose and to wrk, first at
# --users (10) and then at --big-users (1,000), with peak memory. See benches/README.md.
#
#   benches/load_efficiency.sh            # 3 repetitions of 10 s, then 1,000 users; ~10 min
#   benches/load_efficiency.sh --quick    # 1 repetition of 3 s; a smoke run
#
# Installs nginx, wrk and GNU time with apt-get when missing (sudo when not root), builds
# `cargo build --release` once, and on exit stops nginx and every process it started.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: benches/load_efficiency.sh [--quick] [--reps N] [--secs S] [--users N]
                                  [--big-users N] [--big-secs S] [--no-big]
                                  [--bodies small|full] [--keep]

  --quick        1 repetition, 3 s runs (8 s at --big-users): a smoke run
  --reps N       repetitions of each contender, interleaved (default 3)
  --secs S       seconds of load per run at --users (default 10)
  --users N      users (wrk connections) of the main table (default 10)
  --big-users N  users of the second table (default 1000)
  --big-secs S   seconds of load per run at --big-users (default 20)
  --no-big       skip the --big-users table
  --bodies B     full (default): demo-gateway-sized answers (100-400 bytes) that match
                 the documented schemas; small: only the fields the static checks read
                 (the generated scenarios' schema check then fails 1 answer in 16)
  --keep         keep the temp folder (nginx config, every run's results and samples)
EOF
}

reps=3 secs=10 users=10 big_users=1000 big_secs=20 big=1 keep=0 bodies=full
while (($#)); do
    case $1 in
    --quick) reps=1 secs=3 big_secs=8 ;;
    --reps) reps=$2; shift ;;
    --secs) secs=$2; shift ;;
    --users) users=$2; shift ;;
    --big-users) big_users=$2; shift ;;
    --big-secs) big_secs=$2; shift ;;
    --no-big) big=0 ;;
    --bodies) bodies=$2; shift ;;
    --keep) keep=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "load_efficiency: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
[[ $bodies == small || $bodies == full ]] || { echo "load_efficiency: --bodies is small or full" >&2; exit 2; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { echo "load_efficiency: $*" >&2; }

# ---- tools -------------------------------------------------------------------------
missing=()
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $nginx_bin ]] || missing+=(nginx)
command -v wrk >/dev/null || missing+=(wrk)
[[ -x /usr/bin/time ]] || missing+=(time)
command -v taskset >/dev/null || missing+=(util-linux)
command -v python3 >/dev/null || missing+=(python3)
if ((${#missing[@]})); then
    say "installing ${missing[*]} with apt-get"
    sudo=()
    ((EUID == 0)) || sudo=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null ||
        { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null; }
    nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
fi
command -v cargo >/dev/null || { say "cargo not found; install Rust (rustup)"; exit 1; }

# ---- build ---------------------------------------------------------------------------
say "cargo build --release (from the committed snapshot in generated/)"
(cd "$repo" && env -u GATEWAY_URL cargo build --release --quiet)
target_dir=$(cd "$repo" && cargo metadata --no-deps --format-version 1 |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
bin=$target_dir/release/gateway-loadtest
[[ -x $bin ]] || { say "no binary at $bin after the build"; exit 1; }

# ---- cores: the generator (or wrk) gets one; everything else (nginx, this script and
# its sampling) the other ------------------------------------------------------------
cpus=$(nproc)
if ((cpus >= 2)); then
    gen_cpu=1 aux_cpu=0
else
    gen_cpu=0 aux_cpu=0
    say "only one CPU: the generator and nginx share it, so the numbers mean less"
fi
taskset -cp "$aux_cpu" $$ >/dev/null
# 1,000 users hold 1,000 sockets.
if (($(ulimit -n) < 4 * big_users + 256)); then
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fi

# ---- temp folder and cleanup -----------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/load-efficiency.XXXXXX")
nginx_pid=""
running=() # pids of the run in progress
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    local pid
    for pid in "${running[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [[ -n $nginx_pid ]]; then
        kill "$nginx_pid" 2>/dev/null || true
        wait "$nginx_pid" 2>/dev/null || true
    fi
    if ((keep)); then say "kept $tmp"; else rm -rf "$tmp"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- nginx -------------------------------------------------------------------------------
# Every route the scenarios call answers with the status the demo gateway gives (201 and a
# fresh id on a create, 204 on a delete, 200 and the asked-for id on a read), so every
# persona and generated transaction runs its normal path and request mix instead of
# stopping at a failed check. With --bodies full (the default) a body is what the demo
# gateway answers (100-400 bytes), so it also matches the documented schema that the
# generated transactions check on one answer in 16. With --bodies small a body holds
# only what the static checks and the chaining read, about as small as /health's
# {"status":"ok"}; every sampled schema check of the generated transactions then fails,
# and they measure their failure path. Any other path gets 200 {"status":"ok"}.
write_nginx_conf() {
    local port=$1 dir=$tmp/nginx
    local user_line=""
    ((EUID == 0)) && user_line="user $(id -un) $(id -gn);"
    # In single quotes: $uuid, $sid, ... are nginx variables, expanded per request.
    local health='{"status":"ok"}' root status services info page
    local session_new session upload document ticket_new ticket contact_new contact
    if [[ $bodies == small ]]; then
        root='{"name":"demo-gateway"}'
        status='{"status":"ok","live_resources":{}}'
        services='{"services":[]}'
        info='{"name":"documents"}'
        page='{"items":[]}'
        session_new='{"session_id":"$uuid"}'
        session='{"session_id":"$sid"}'
        upload='{"doc_id":"$uuid","session_id":"$sid","size":1024}'
        document='{"doc_id":"$did"}'
        ticket_new='{"id":"$uuid"}' ticket='{"id":"$tid"}'
        contact_new='{"id":"$uuid"}' contact='{"id":"$cid"}'
    else
        local t='"title":"Printer on fire","code":"OPS-0042","priority":"medium","status":"open","severity":3,"estimate_hours":4.5,"reporter":{"name":"Ada Lovelace","email":"ada@example.com"},"tags":[],"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"'
        local c='"name":"Grace Hopper","email":"grace@example.com","created_at":"2026-01-01T00:00:00Z"'
        local d='"filename":"report.txt","content_type":"text/plain","size":1024,"sha256":"0000000000000000000000000000000000000000000000000000000000000000","uploaded_at":"2026-01-01T00:00:00Z"'
        local s='"label":"nightly-run","created_at":"2026-01-01T00:00:00Z","document_count":0'
        root='{"name":"demo-gateway","version":"0.1.0","services":["documents","docman"]}'
        status='{"status":"ok","uptime_seconds":1.0,"requests_served":1,"live_resources":{"sessions":0,"documents":0,"tickets":0,"contacts":0},"latency_ms":0.0,"api_variant":""}'
        services='{"services":[{"name":"documents","prefix":"/api/v1/documents","docs_url":"/api/v1/documents/docs","openapi_url":"/api/v1/documents/openapi.json"},{"name":"docman","prefix":"/docman","docs_url":"/docman/docs","openapi_url":"/docman/openapi.json"}]}'
        info='{"name":"documents","version":"0.1.0","max_upload_bytes":1048576,"counts":{"sessions":0,"documents":0}}'
        page='{"items":[],"total":0,"limit":20,"offset":0}'
        session_new="{\"session_id\":\"\$uuid\",$s}"
        session="{\"session_id\":\"\$sid\",$s}"
        upload="{\"doc_id\":\"\$uuid\",\"session_id\":\"\$sid\",$d}"
        document="{\"doc_id\":\"\$did\",\"session_id\":\"00000000-0000-4000-8000-000000000000\",$d}"
        ticket_new="{\"id\":\"\$uuid\",$t}" ticket="{\"id\":\"\$tid\",$t}"
        contact_new="{\"id\":\"\$uuid\",$c}" contact="{\"id\":\"\$cid\",$c}"
    fi
    cat >"$dir/nginx.conf" <<EOF
$user_line
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections $((4 * big_users + 1024)); }
http {
    access_log off;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
    default_type application/json;
    # A fresh UUID per request (nginx's random \$request_id, hyphenated).
    map \$request_id \$uuid {
        "~^(?<u1>.{8})(?<u2>.{4})(?<u3>.{4})(?<u4>.{4})(?<u5>.{12})\$" "\$u1-\$u2-\$u3-\$u4-\$u5";
    }
    server {
        listen 127.0.0.1:$port;
        location / { return 200 '$health'; }
        location = / { return 200 '$root'; }
        location = /gateway/status { return 200 '$status'; }
        location = /gateway/services { return 200 '$services'; }
        location = /api/v1/documents/info { return 200 '$info'; }
        location = /api/v1/documents/ { return 200 '$page'; }
        location = /api/v1/documents/sessions {
            if (\$request_method = POST) { return 201 '$session_new'; }
            return 405 '{"detail":"Method Not Allowed"}';
        }
        location ~ ^/api/v1/documents/session/(?<sid>[^/]+)/upload\$ { return 201 '$upload'; }
        location ~ ^/api/v1/documents/session/(?<sid>[^/]+)\$ {
            if (\$request_method = DELETE) { return 204; }
            return 200 '$session';
        }
        location ~ ^/api/v1/documents/documents/(?<did>[^/]+)\$ { return 200 '$document'; }
        location = /docman/tickets {
            if (\$request_method = POST) { return 201 '$ticket_new'; }
            return 200 '$page';
        }
        location ~ ^/docman/tickets/(?<tid>[^/]+)\$ {
            if (\$request_method = DELETE) { return 204; }
            return 200 '$ticket';
        }
        location = /docman/contacts {
            if (\$request_method = POST) { return 201 '$contact_new'; }
            return 405 '{"detail":"Method Not Allowed"}';
        }
        location ~ ^/docman/contacts/(?<cid>[^/]+)\$ {
            if (\$request_method = DELETE) { return 204; }
            return 200 '$contact';
        }
    }
}
EOF
}

# Whether something answers HTTP on 127.0.0.1:$1 with $2 in the reply to GET /health.
answers() {
    local reply
    reply=$(
        exec 2>/dev/null # a refused connection is an answer here, not an error
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf 'GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
        timeout 2 cat <&3
    ) || return 1
    [[ $reply == *"$2"* ]]
}

start_nginx() {
    mkdir -p "$tmp/nginx"
    local attempt port
    for attempt in 1 2 3 4 5 6 7 8 9 10; do
        port=$((20000 + RANDOM % 40000))
        answers "$port" "" && continue # taken
        write_nginx_conf "$port"
        "$nginx_bin" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" \
            >"$tmp/nginx/stdout" 2>&1 &
        nginx_pid=$!
        local i
        for i in {1..50}; do
            if answers "$port" '{"status":"ok"}'; then
                url=http://127.0.0.1:$port
                return 0
            fi
            kill -0 "$nginx_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill "$nginx_pid" 2>/dev/null || true
        wait "$nginx_pid" 2>/dev/null || true
        nginx_pid=""
        say "nginx did not start on port $port (attempt $attempt): $(tail -n 2 "$tmp/nginx/error.log" 2>/dev/null)"
    done
    say "could not start nginx; see $tmp/nginx"
    keep=1
    exit 1
}

# ---- one run -------------------------------------------------------------------------------
clk_tck=$(getconf CLK_TCK)
runs_tsv=$tmp/runs.tsv
: >"$runs_tsv"

# Prints "epoch_seconds utime_ticks stime_ticks vmhwm_kb" every 0.1 s while $1 lives.
sample_cpu() {
    local pid=$1 line rest hwm=0 key value unit
    local -a f
    while [[ -e /proc/$pid/stat ]]; do
        { read -r line </proc/"$pid"/stat; } 2>/dev/null || break
        rest=${line##*) }
        read -r -a f <<<"$rest"
        while read -r key value unit; do
            [[ $key == VmHWM: ]] && hwm=$value
        done </proc/"$pid"/status 2>/dev/null || true
        # f[0] is field 3 (state): utime is field 14, stime field 15.
        [[ ${f[0]} == Z ]] && break
        echo "$EPOCHREALTIME ${f[11]} ${f[12]} $hwm"
        sleep 0.1
    done
}

# The pid of the (only) child of $1, once it exists.
child_of() {
    local i kids
    for i in {1..200}; do
        kids=$(cat "/proc/$1/task/$1/children" 2>/dev/null || true)
        [[ -n ${kids// /} ]] && { echo "${kids%% *}"; return 0; }
        kill -0 "$1" 2>/dev/null || return 1
        sleep 0.01
    done
    return 1
}

# run_one BLOCK REP CONTENDER USERS SECS
run_one() {
    local block=$1 rep=$2 who=$3 n=$4 s=$5
    local dir=$tmp/runs/$block-$rep-$who
    mkdir -p "$dir"
    local load
    read -r load _ </proc/loadavg
    case $who in
    wrk)
        taskset -c "$gen_cpu" /usr/bin/time -f '%e %U %S %M' -o "$dir/time" \
            wrk -t1 -c"$n" -d"${s}s" "$url/health" >"$dir/stdout" 2>"$dir/stderr" &
        ;;
    *)
        taskset -c "$gen_cpu" /usr/bin/time -f '%e %U %S %M' -o "$dir/time" \
            "$bin" --host "$url" --scenarios "$who*" --users "$n" --increase-rate 1000 \
            --run-time "${s}s" --no-wait --no-telnet -q --seed "$rep" \
            --results-dir "$dir/results" >"$dir/stdout" 2>"$dir/stderr" &
        ;;
    esac
    local tpid=$! gpid
    running=("$tpid")
    gpid=$(child_of "$tpid") || gpid=""
    [[ -n $gpid ]] && running+=("$gpid")
    [[ -n $gpid ]] && sample_cpu "$gpid" >"$dir/samples"
    local rc=0
    wait "$tpid" || rc=$?
    running=()
    if ((rc != 0)); then
        say "$who ($n users) exited with $rc; its output:"
        tail -n 20 "$dir/stderr" >&2
        keep=1
        exit 1
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$block" "$rep" "$who" "$n" "$s" "$load" "$dir" >>"$runs_tsv"
    printf '  %-9s %5s users, rep %s: done (load %s)\n' "$who" "$n" "$rep" "$load" >&2
}

# run_block BLOCK USERS SECS CONTENDER... : every contender once per repetition, the order
# rotated each time so drift and neighbours' noise hit every contender alike.
run_block() {
    local block=$1 n=$2 s=$3
    shift 3
    local -a order=("$@")
    local rep i k=${#order[@]}
    for ((rep = 1; rep <= reps; rep++)); do
        for ((i = 0; i < k; i++)); do
            run_one "$block" "$rep" "${order[(i + rep - 1) % k]}" "$n" "$s"
        done
    done
}

# ---- the runs ---------------------------------------------------------------------------
start_nginx
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
say "nginx at $url (CPU $aux_cpu), generator on CPU $gen_cpu; load average $load_before"
say "warm-up (not measured)"
taskset -c "$gen_cpu" "$bin" --host "$url" --scenarios 'generated*' --users 2 --increase-rate 1000 \
    --run-time 1s --no-wait --no-telnet -q --results-dir "$tmp/warmup" >/dev/null 2>&1
taskset -c "$gen_cpu" wrk -t1 -c2 -d1s "$url/health" >/dev/null
say "$users users, $reps x ${secs} s each"
run_block small "$users" "$secs" wrk bare static generated
if ((big)); then
    say "$big_users users, $reps x ${big_secs} s each"
    run_block big "$big_users" "$big_secs" wrk bare static generated
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the table -----------------------------------------------------------------------------
lscpu_field() {
    lscpu 2>/dev/null | awk -F: -v key="$1" '$1 == key && !seen { sub(/^[ \t]+/, "", $2); print $2; seen = 1 }'
}
model=$(lscpu_field 'Model name') family=$(lscpu_field 'CPU family')
cpumodel=$(lscpu_field 'Model') hypervisor=$(lscpu_field 'Hypervisor vendor')
mem=$(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null || true)
machine="${model:-unknown CPU} (family ${family:-?}, model ${cpumodel:-?}), $cpus CPUs${hypervisor:+, $hypervisor guest}, $mem RAM"

export big bodies machine started commit load_before load_after gen_cpu aux_cpu reps users secs big_users big_secs
export kernel="$(uname -sr)" changes="${dirty:+ (with local changes)}"
python3 - "$runs_tsv" "$clk_tck" <<'PY'
import glob, json, os, re, statistics, sys
from datetime import datetime, timezone

runs_tsv, clk_tck = sys.argv[1], int(sys.argv[2])
env = os.environ
users, big_users = env["users"], env["big_users"]
print("## Load efficiency")
print()
print(f"Machine: {env['machine']}; {env['kernel']}.")
print(f"Run: {env['started']}, commit {env['commit']}{env['changes']}; load average "
      f"(1, 5, 15 min) {env['load_before']} before, {env['load_after']} after.")
shape = f"{users} users for {env['secs']} s"
if env["big"] == "1":
    shape += f", then {big_users} users for {env['big_secs']} s"
answers = ("only the fields the scenarios' checks read" if env["bodies"] == "small"
           else "demo-gateway-sized, 100-400 bytes")
print(f"Generator pinned to CPU {env['gen_cpu']}, nginx (1 worker) and this script's sampling "
      f"on CPU {env['aux_cpu']}; {env['reps']} repetition(s) of each contender, interleaved; "
      f"{shape}. nginx answers: {env['bodies']} bodies ({answers}).")
print()

def ts(text):
    # 2026-11-27T12:59:59.777466929Z, nanoseconds kept
    whole, _, frac = text.rstrip("Z").partition(".")
    t = datetime.fromisoformat(whole).replace(tzinfo=timezone.utc).timestamp()
    return t + (float("0." + frac) if frac else 0.0)

def cpu_at(samples, t):
    """CPU-seconds used by time t, interpolated between samples."""
    if t <= samples[0][0]:
        return samples[0][1], t < samples[0][0] - 0.15
    for (t0, c0), (t1, c1) in zip(samples, samples[1:]):
        if t0 <= t <= t1:
            return c0 + (c1 - c0) * (t - t0) / (t1 - t0 or 1), False
    return samples[-1][1], t > samples[-1][0] + 0.15

def goose_run(d):
    report = json.load(open(next_report(d)))
    history = report["raw_metrics"]["history"]
    start = ts(next(h["timestamp"] for h in history if h["action"] == "Increasing"))
    end = ts(history[-1]["timestamp"])
    agg = next(r for r in report["raw_request_metrics"] if r["name"] == "Aggregated")
    samples, hwm = [], 0
    for line in open(d + "/samples"):
        t, u, s, h = line.split()
        samples.append((float(t), (int(u) + int(s)) / clk_tck))
        if float(t) <= end:
            hwm = int(h)
    (c0, bad0), (c1, bad1) = cpu_at(samples, start), cpu_at(samples, end)
    elapsed, _, _, rss = open(d + "/time").read().split("\n")[-2].split()
    failures = {}
    for r in report["raw_request_metrics"]:
        if r["name"] != "Aggregated" and r["number_of_failures"]:
            failures[f'{r["method"]} {r["name"]}'] = (r["number_of_failures"], r["number_of_requests"])
    return dict(requests=agg["number_of_requests"], failed=agg["number_of_failures"],
                secs=end - start, cpu=c1 - c0, rss_kb=int(rss), hwm_kb=hwm,
                approx=bad0 or bad1, failures=failures)

def next_report(d):
    found = glob.glob(d + "/results/*/report.json")
    if len(found) != 1:
        raise SystemExit(f"expected one report.json under {d}/results, found {found}")
    return found[0]

def wrk_run(d):
    out = open(d + "/stdout").read()
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", out)
    scale = {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60}[m.group(3)]
    errors = re.search(r"Socket errors:.*", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    elapsed, user, system, rss = open(d + "/time").read().split("\n")[-2].split()
    return dict(requests=int(m.group(1)), failed=int(non2xx.group(1)) if non2xx else 0,
                secs=float(m.group(2)) * scale, cpu=float(user) + float(system),
                rss_kb=int(rss), hwm_kb=int(rss), approx=False, failures={},
                note=errors.group(0) if errors else "")

rows = []
for line in open(runs_tsv):
    block, rep, who, n, s, load, d = line.rstrip("\n").split("\t")
    r = wrk_run(d) if who == "wrk" else goose_run(d)
    r.update(block=block, rep=int(rep), who=who, users=int(n), load=float(load))
    r["rps"] = r["requests"] / r["secs"]
    r["rpc"] = r["requests"] / r["cpu"] if r["cpu"] > 0 else float("nan")
    rows.append(r)

order = ["wrk", "bare", "static", "generated"]
med = statistics.median
summary = {}

def fmt_ratio(x):
    return "-" if x != x else f"{x:.2f}×"

for block in ["small", "big"]:
    sel = [r for r in rows if r["block"] == block]
    if not sel:
        continue
    n = sel[0]["users"]
    print(f"### {n:,} users")
    print()
    print("| contender | req/s | req per CPU-s (range) | CPU use | CPU/req vs bare (per-rep range) "
          "| CPU/req vs wrk | failed | peak RSS: load (process) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    by = {w: [r for r in sel if r["who"] == w] for w in order}
    med_rpc = {w: med([r["rpc"] for r in rs]) for w, rs in by.items() if rs}
    for w in order:
        rs = by[w]
        if not rs:
            continue
        rpcs = [r["rpc"] for r in rs]
        paired = []
        for r in rs:
            base = [b for b in by.get("bare", []) if b["rep"] == r["rep"]]
            if base:
                paired.append(base[0]["rpc"] / r["rpc"])
        vs_bare = med_rpc["bare"] / med_rpc[w] if "bare" in med_rpc else float("nan")
        vs_wrk = med_rpc["wrk"] / med_rpc[w] if "wrk" in med_rpc else float("nan")
        rng = f" ({min(paired):.2f}–{max(paired):.2f})" if len(paired) > 1 and w != "bare" else ""
        failed = sum(r["failed"] for r in rs) / max(1, sum(r["requests"] for r in rs))
        rss = max(r["rss_kb"] for r in rs) / 1024
        hwm = max(r["hwm_kb"] for r in rs) / 1024
        use = med([r["cpu"] / r["secs"] for r in rs])
        summary[(block, w)] = dict(vs_bare=vs_bare, rpc=med_rpc[w], rss=rss, hwm=hwm)
        print(f"| {w} | {med([r['rps'] for r in rs]):,.0f} | {med_rpc[w]:,.0f} "
              f"({min(rpcs):,.0f}–{max(rpcs):,.0f}) | {use:.0%} | {fmt_ratio(vs_bare)}{rng} "
              f"| {fmt_ratio(vs_wrk)} | {failed:.2%} | {hwm:.1f} ({rss:.1f}) MB |")
    print()

print("req/s and req per CPU-s: medians over the repetitions. CPU-s: utime + stime of the "
      "generator process (/proc/PID/stat, sampled every 0.1 s) over Goose's attack, from its "
      "first user launched to its last user stopped (start-up, the final clean-up sweep and "
      "report writing excluded); wrk: the whole process (GNU time). CPU use: CPU-s per "
      "second of that window (100% = the generator's core saturated). CPU/req vs X: "
      "X's req per CPU-s over this row's (ratio of the medians; in brackets, the range of "
      "the same ratio within each repetition). Failed: requests the scenarios' checks "
      "failed. Peak RSS, largest over the repetitions: load = VmHWM when the attack ended "
      "(sampled); process = the whole run's maximum resident set (GNU time), which adds the "
      "final sweep and report writing; the memory target is checked on the process figure.")
print()
targets = [
    (f"generated CPU/request ≤ 1.3× bare ({users} users)", ("small", "generated"), "vs_bare", lambda v: v <= 1.3, "{:.2f}×"),
    (f"static CPU/request ≤ 1.2× bare ({users} users)", ("small", "static"), "vs_bare", lambda v: v <= 1.2, "{:.2f}×"),
]
for w in ["bare", "static", "generated"]:
    targets.append((f"{w} peak RSS < 100 MB ({big_users} users, whole process)", ("big", w), "rss", lambda v: v < 100, "{:.1f} MB"))
    targets.append((f"{w} ≥ 12,000 req per CPU-s ({big_users} users)", ("big", w), "rpc", lambda v: v >= 12000, "{:,.0f}"))
print("| target (issue #6) | measured | met |")
print("|---|---:|---|")
for name, key, field, ok, f in targets:
    if key in summary:
        v = summary[key][field]
        print(f"| {name} | {f.format(v)} | {'yes' if ok(v) else '**no**'} |")
print()

failing = {}
for r in rows:
    for name, (bad, total) in r["failures"].items():
        a = failing.setdefault((r["block"], r["who"], name), [0, 0])
        a[0] += bad
        a[1] += total
if failing:
    print("Failed checks (all repetitions):")
    print()
    for (block, who, name), (bad, total) in sorted(failing.items()):
        print(f"- {who}, {users if block == 'small' else big_users} users: {name}: {bad:,} of {total:,}")
    print()

print("<details><summary>Every run</summary>")
print()
print("| users | rep | contender | requests | s | req/s | CPU-s | req per CPU-s | RSS MB: load (process) | load 1 min |")
print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    flag = " (CPU window extrapolated)" if r["approx"] else ""
    print(f"| {r['users']:,} | {r['rep']} | {r['who']} | {r['requests']:,} | {r['secs']:.2f} | "
          f"{r['rps']:,.0f} | {r['cpu']:.2f}{flag} | {r['rpc']:,.0f} | {r['hwm_kb'] / 1024:.1f} ({r['rss_kb'] / 1024:.1f}) | {r['load']:.2f} |")
print()
print("</details>")
PY
