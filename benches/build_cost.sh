#!/usr/bin/env bash
# Build cost of the generated code (issue #6 item 3): for each size N, a throw-away copy of
# the working tree whose generated/ holds a snapshot of N operations (0 = the committed
# demo snapshot; others from benches/synthetic.rs via benches/synthetic_snapshot.rs),
# built with a copy of the warm release target dir so only this crate compiles. Per size:
#   crate      `cargo build --release` (build script run + lib + bin), wall clock, with
#              cargo --timings' split: build-script compile and run, lib front end, lib
#              LLVM, bin; and rustc's peak memory
#   build.rs   the build-script binary alone (best of 3), with only the env it reads
#              (CARGO_MANIFEST_DIR, OUT_DIR; no GATEWAY_URL, so the snapshot)
#   no-change  a second `cargo build --release -v`: time, and whether build.rs reran
#              (a `Running ...build-script-build` line, no `Fresh gateway-loadtest`, or a
#              new mtime on generated.rs)
#   size       OUT_DIR/generated.rs, and the operations in OUT_DIR/plan.json
# then a table with per-operation figures and the growth between sizes. It prints
# numbers only, nothing is asserted (STYLE.md item 6).
#
#   benches/build_cost.sh [N ...]        # default: 0 100 1000
#
# CARGO_TARGET_DIR    warm target dir to copy (default target/); `cargo build --release`
#                     runs there first, so every dependency is built
# BUILD_COST_DIR      where the copies go (default: a new dir under /tmp)
# BUILD_COST_TIMEOUT  seconds allowed per crate build (default 3600); on time-out build.rs
#                     alone and the size are still measured (build.rs ran before the lib)
# BUILD_COST_KEEP=1   keep each copy (sources + target, ~3 GB) instead of deleting it
# Builds run under `nice`; the load average is printed beside every number.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
base_target=${CARGO_TARGET_DIR:-$repo/target}
work=${BUILD_COST_DIR:-$(mktemp -d /tmp/build-cost.XXXXXX)}
limit=${BUILD_COST_TIMEOUT:-3600}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(0 100 1000)
rows=$work/rows.tsv
mkdir -p "$work"
: >"$rows"

load() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$(now)"; }
log() { echo "build_cost: $* (load $(load))" >&2; }

log "warming $base_target (cargo build --release, and the snapshot writer)"
(cd "$repo" && CARGO_TARGET_DIR=$base_target nice cargo build --release --quiet)
(cd "$repo" && CARGO_TARGET_DIR=$base_target nice cargo build --release --quiet --example synthetic_snapshot)
writer=$base_target/release/examples/synthetic_snapshot

for n in "${sizes[@]}"; do
    dir=$work/n$n
    rm -rf "$dir"
    mkdir -p "$dir/src" "$dir/target"
    # The working tree as it is (tracked and untracked files, not ignored ones).
    (cd "$repo" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) | tar -xf - -C "$dir/src"
    if [ "$n" -gt 0 ]; then
        "$writer" "$n" "$dir/src/generated" 2>/dev/null
    fi
    cp -a "$base_target/release" "$dir/target/"
    cp -a "$base_target/.rustc_info.json" "$dir/target/" 2>/dev/null || true
    export CARGO_TARGET_DIR=$dir/target

    log "N=$n: cargo build --release"
    load_build="$(load) →"
    start=$(now)
    status=ok
    (cd "$dir/src" && /usr/bin/time -f %M -o "$dir/build.rss" timeout "$limit" \
        nice cargo build --release --timings --message-format=json-render-diagnostics \
        >"$dir/build.json" 2>"$dir/build.log") || status=failed
    crate_s=$(since "$start")
    load_build="$load_build $(load)"
    crate_rss=$(tail -1 "$dir/build.rss")
    if [ $status != ok ] && grep -q "non-zero status 124" "$dir/build.rss"; then
        status=timeout
    fi
    log "N=$n: build $status after $crate_s s (log: $dir/build.log)"

    # The build script's binary and OUT_DIR, from cargo's JSON messages (cargo prints
    # them when the script has run, before the lib compiles).
    read -r script out_dir < <(python3 - "$dir/build.json" <<'EOF'
import json, sys
script = out_dir = "-"
for line in open(sys.argv[1]):
    m = json.loads(line)
    if "gateway-loadtest" not in m.get("package_id", ""):
        continue
    if m["reason"] == "compiler-artifact" and m["target"]["name"] == "build-script-build":
        script = m["filenames"][0]
    if m["reason"] == "build-script-executed":
        out_dir = m["out_dir"]
print(script, out_dir)
EOF
    )
    generated=$out_dir/generated.rs
    ops=- size=- split="-	-	-	-	-"
    rebuild_s=- reran=- load_rebuild=-
    if [ -f "$generated" ]; then
        read -r ops size < <(python3 - "$out_dir/plan.json" "$generated" <<'EOF'
import json, os, sys
plan, generated = sys.argv[1:]
print(sum(len(app["operations"]) for app in json.load(open(plan))["apps"]), os.path.getsize(generated))
EOF
        )
    fi
    if [ $status = ok ]; then
        split=$(python3 - "$dir/target/cargo-timings/cargo-timing.html" <<'EOF'
import json, sys
text = open(sys.argv[1]).read()
start = text.index("const UNIT_DATA = ") + len("const UNIT_DATA = ")
units, _ = json.JSONDecoder().raw_decode(text[start:])
mine = [u for u in units if u["name"] == "gateway-loadtest"]
# The build script compiles only when it is not fresh in the copied target (normally 0).
compile_script = sum(u["duration"] for u in mine if u["target"] == " build-script")
run = sum(u["duration"] for u in mine if u["mode"] == "run-custom-build")
lib = next(u for u in mine if u["target"] == "")
sections = dict(lib.get("sections") or [])
front = sections.get("frontend", {}).get("end", lib["duration"])
bin_ = sum(u["duration"] for u in mine if "bin" in u["target"])
print(f"{compile_script:.2f}", f"{run:.2f}", f"{front:.2f}", f"{lib['duration'] - front:.2f}",
      f"{bin_:.2f}", sep="\t")
EOF
        )
        stamp=$(stat -c %Y.%y "$generated")
        log "N=$n: cargo build --release -v, nothing changed"
        load_rebuild=$(load)
        start=$(now)
        (cd "$dir/src" && nice cargo build --release -v >"$dir/rebuild.log" 2>&1)
        rebuild_s=$(since "$start")
        if grep -q 'Running `.*build-script-build`' "$dir/rebuild.log" ||
            ! grep -q 'Fresh gateway-loadtest' "$dir/rebuild.log" ||
            [ "$(stat -c %Y.%y "$generated")" != "$stamp" ]; then
            reran=yes
        else
            reran=no
        fi
        log "N=$n: no-change rebuild $rebuild_s s (build.rs reran: $reran)"
    fi

    best=- script_rss=- load_script=-
    if [ -x "$script" ] && [ -f "$generated" ]; then
        log "N=$n: build.rs alone, 3 runs"
        load_script="$(load) →"
        script_rss=0
        for _ in 1 2 3; do
            start=$(now)
            env -i PATH="$PATH" CARGO_MANIFEST_DIR="$dir/src" OUT_DIR="$out_dir" \
                /usr/bin/time -f %M -o "$dir/script.rss" "$script" >"$dir/script.out"
            took=$(since "$start")
            best=$(python3 -c "import sys; print(min(float(x) for x in sys.argv[1:] if x != '-'))" "$took" "$best")
            script_rss=$(( $(cat "$dir/script.rss") > script_rss ? $(cat "$dir/script.rss") : script_rss ))
        done
        load_script="$load_script $(load)"
        log "N=$n: build.rs $best s"
    fi

    printf '%s\t' "$n" "$status" "$ops" "$size" "$crate_s" "$split" "$crate_rss" "$load_build" \
        "$best" "$script_rss" "$load_script" "$rebuild_s" "$reran" >>"$rows"
    printf '%s\n' "$load_rebuild" >>"$rows"
    if [ "${BUILD_COST_KEEP:-0}" = 1 ]; then
        log "N=$n: kept $dir"
    else
        rm -rf "$dir"
    fi
done

python3 - "$rows" <<'EOF'
import sys

rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
keys = ("n status ops size crate compile run front llvm bin crate_rss load_build "
        "script script_rss load_script rebuild reran load_rebuild").split()
rows = [dict(zip(keys, r)) for r in rows]

def f(x, fmt, scale=1.0):
    return "-" if x == "-" else format(float(x) * scale, fmt)

print("\nBuild cost: seconds of wall clock; load average (1/5/15 min) before → after\n")
print("| N ops | build.rs s | crate build s | build.rs compile / run, lib front end / LLVM, bin s"
      " | no-change rebuild s (build.rs reran?) | generated MB | KB/op | build.rs ms/op"
      " | crate build ms/op | peak RSS build.rs / cargo+rustc MB | load: crate build | load: build.rs | load: rebuild |")
print("|---:|---:|---:|---|---|---:|---:|---:|---:|---|---|---|---|")
for r in rows:
    ops = int(r["ops"]) if r["ops"] != "-" else None
    crate = f(r["crate"], ".1f") + ("" if r["status"] == "ok" else f" ({r['status']})")
    per = lambda x, scale: "-" if ops is None or x == "-" else f(x, ".1f", scale / ops)
    print(f"| {ops if ops is not None else r['n']:,} | {f(r['script'], '.2f')} | {crate}"
          f" | {r['compile']} / {r['run']}, {r['front']} / {r['llvm']}, {r['bin']}"
          f" | {r['rebuild']} ({r['reran']}) | {f(r['size'], '.2f', 1e-6)} | {per(r['size'], 1e-3)}"
          f" | {per(r['script'], 1e3)} | {per(r['crate'], 1e3) if r['status'] == 'ok' else '-'}"
          f" | {f(r['script_rss'], '.0f', 1 / 1024)} / {f(r['crate_rss'], '.0f', 1 / 1024)}"
          f" | {r['load_build']} | {r['load_script']} | {r['load_rebuild']} |")

def point(r, column):
    ok = r[column] != "-" and (column == "size" or column == "script" or r["status"] == "ok")
    return float(r[column]) if ok else None

measured = [r for r in rows if r["ops"] != "-"]
if len(measured) > 1:
    print("\nGrowth between sizes: × is the ratio (linear growth: equal to the ops ratio); the"
          " marginal cost per operation is Δ / Δops\n")
    print("| from → to | ops × | build.rs × | build.rs ms/op | crate build × | crate build ms/op"
          " | lib front end ms/op | lib LLVM ms/op | generated × | generated KB/op |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for a, b in zip(measured, measured[1:]):
        o1, o2 = int(a["ops"]), int(b["ops"])
        def both(column, scale):
            x, y = point(a, column), point(b, column)
            if x is None or y is None:
                return "-", "-"
            return f"{y / x:.2f}", f"{(y - x) / (o2 - o1) * scale:.1f}"
        script, crate, front, llvm, size = (both("script", 1e3), both("crate", 1e3),
                                            both("front", 1e3), both("llvm", 1e3),
                                            both("size", 1e-3))
        print(f"| {o1:,} → {o2:,} | {o2 / o1:.1f} | {script[0]} | {script[1]} | {crate[0]}"
              f" | {crate[1]} | {front[1]} | {llvm[1]} | {size[0]} | {size[1]} |")
EOF
echo "rows: $rows" >&2
