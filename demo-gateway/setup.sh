#!/usr/bin/env bash
# Create demo-gateway/.venv and install the pinned requirements.txt into it.
# Idempotent and quiet when nothing changed: .venv/.requirements.sha256 holds the hash
# of the requirements.txt last installed; a different hash rebuilds the venv.
# Safe to run concurrently (serialised with flock when available).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

VENV=.venv
STAMP="$VENV/.requirements.sha256"

die() { echo "setup.sh: $*" >&2; exit 1; }

command -v python3 >/dev/null 2>&1 \
    || die "python3 not found; install Python 3.11+ (e.g. apt-get install python3 python3-venv)"

req_hash() {
    python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' requirements.txt
}

up_to_date() {
    [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$(req_hash)" ]]
}

up_to_date && exit 0

# Serialise concurrent runs (e.g. parallel tests each starting serve.sh).
if command -v flock >/dev/null 2>&1; then
    exec 9>".setup.lock"
    flock 9
    up_to_date && exit 0
fi

# Missing, half-installed or built from another requirements.txt: rebuild from
# scratch, so the venv holds exactly the pinned packages and nothing else.
python3 -c 'import venv, ensurepip' 2>/dev/null \
    || die "the Python venv module is missing: install python3-venv (apt-get install python3-venv)"
echo "setup.sh: creating $PWD/$VENV" >&2
rm -rf "$VENV"
python3 -m venv "$VENV" || die "python3 -m venv failed: install python3-venv (apt-get install python3-venv)"

echo "setup.sh: installing requirements.txt into $PWD/$VENV" >&2
"$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q -r requirements.txt >&2
"$VENV/bin/python" -m pip check --disable-pip-version-check >/dev/null \
    || die "pip check failed: requirements.txt is inconsistent"
req_hash > "$STAMP.tmp"
mv "$STAMP.tmp" "$STAMP"
