#!/usr/bin/env python3
"""Helpers of benches/real_apps.sh (standard library only, any Python 3.8+).

  tally.py ops SPEC.json
      the number of operations (method x path) in an OpenAPI document
  tally.py list URL KINDS_FILE OUT.json
      counts each resource kind through the app's own list endpoints; KINDS_FILE has
      one `kind<TAB>GET path` a line. Auth comes from GATEWAY_TOKEN / GATEWAY_HEADERS,
      as the load tester reads them. A kind whose list fails is recorded as null.
  tally.py summary APP SPEC.json REPORT.json BEFORE.json AFTER.json [CANNOT.tsv]
      one JSON row: operations, called, with a 2xx, shares of status classes, leftovers;
      CANNOT.tsv (`METHOD /path-glob<TAB>reason` a line) lists the operations that
      cannot succeed on this local install: the row counts them apart, and judges the
      rest (called with a 2xx, 2xx among the answers that are not 5xx)
  tally.py failures SPEC.json REPORT.json [N]
      the operations that never got a 2xx, with their status counts, and Goose's errors
  tally.py worst SPEC.json REPORT.json N
      the N operations with the most requests and no 2xx, one "METHOD /path" a line
  tally.py replay
      reads a request as `gateway-loadtest sample` prints it on stdin, sends it (with
      the GATEWAY_TOKEN / GATEWAY_HEADERS auth) and prints the status and the gist of
      the answer: the `loc` of each 422 error, else the start of the body
  tally.py table ROWS.jsonl DATE USERS RUN_TIME
      the final markdown table
"""
import fnmatch
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def operations(spec):
    return {
        (method.upper(), path)
        for path, item in (spec.get("paths") or {}).items()
        if isinstance(item, dict)
        for method in item
        if method in METHODS
    }


def auth_headers():
    headers = {}
    token = os.environ.get("GATEWAY_TOKEN", "").strip()
    if token:
        headers["Authorization"] = "Bearer " + token
    for pair in os.environ.get("GATEWAY_HEADERS", "").replace(";", "\n").splitlines():
        name, sep, value = pair.partition(":")
        if sep and name.strip():
            headers[name.strip()] = value.strip()
    return headers


def count_of(body):
    """How many resources a list answer holds: its total when it says, else its length."""
    if isinstance(body, bool):
        return None
    if isinstance(body, int):
        return body
    if isinstance(body, list):
        return len(body)
    if isinstance(body, dict):
        for key in ("total", "total_count", "count"):
            if isinstance(body.get(key), int):
                return body[key]
        for key in ("items", "data", "results", "collections", "agents"):
            if isinstance(body.get(key), list):
                return len(body[key])
        lists = [v for v in body.values() if isinstance(v, list)]
        if len(lists) == 1:
            return len(lists[0])
    return None


def list_kinds(url, kinds_file, out):
    headers = auth_headers()
    counts = {}
    with open(kinds_file) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            kind, _, path = line.partition("\t")
            req = urllib.request.Request(url.rstrip("/") + path.strip(), headers=headers)
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    counts[kind] = count_of(json.load(resp))
            except (urllib.error.URLError, ValueError, OSError) as e:
                print(f"real_apps: listing {kind} ({path.strip()}) failed: {e}", file=sys.stderr)
                counts[kind] = None
    with open(out, "w") as f:
        json.dump(counts, f, indent=1)


def load(path):
    with open(path) as f:
        return json.load(f)


def requests_of(report):
    return (report.get("raw_metrics") or {}).get("requests") or {}


def status_counts(agg):
    return {int(code): n for code, n in (agg.get("status_code_counts") or {}).items()}


def cannot_succeed(cannot_file):
    """The `(method glob, path glob, reason)` lines of a CANNOT.tsv file."""
    rules = []
    if not cannot_file or not os.path.exists(cannot_file):
        return rules
    for line in open(cannot_file):
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pattern, _, reason = line.partition("\t")
        method, _, path = pattern.strip().partition(" ")
        rules.append((method.upper(), path.strip(), reason.strip() or "(no reason given)"))
    return rules


def reason_for(op, rules):
    for method, path, reason in rules:
        if fnmatch.fnmatchcase(op[0], method) and fnmatch.fnmatchcase(op[1], path):
            return reason
    return None


def summary(app, spec_file, report_file, before_file, after_file, cannot_file=None):
    spec = load(spec_file)
    ops = operations(spec)
    report = load(report_file)
    rules = cannot_succeed(cannot_file)
    called, ok, unknown = set(), set(), set()
    excluded = {}
    classes = {"2xx": 0, "404": 0, "409": 0, "422": 0, "other4xx": 0, "5xx": 0, "0": 0, "other": 0}
    total = 0
    # The answers of the operations that can succeed here: 2xx and not 5xx.
    rest_2xx = rest_not_5xx = 0
    for key, agg in requests_of(report).items():
        method, _, name = key.partition(" ")
        op = (method.upper(), name)
        codes = status_counts(agg)
        n = sum(codes.values())
        reason = reason_for(op, rules) if op in ops else None
        if op in ops:
            if n:
                called.add(op)
                if reason:
                    excluded[f"{op[0]} {op[1]}"] = reason
            if any(200 <= c < 300 and k for c, k in codes.items()):
                ok.add(op)
        else:
            unknown.add(key)
        if not reason:
            rest_2xx += sum(k for c, k in codes.items() if 200 <= c < 300)
            rest_not_5xx += sum(k for c, k in codes.items() if c < 500)
        for code, k in codes.items():
            total += k
            if 200 <= code < 300:
                classes["2xx"] += k
            elif code in (404, 409, 422):
                classes[str(code)] += k
            elif 400 <= code < 500:
                classes["other4xx"] += k
            elif code >= 500:
                classes["5xx"] += k
            elif code == 0:
                classes["0"] += k
            else:
                classes["other"] += k
    before, after = load(before_file), load(after_file)
    left = {}
    for kind in sorted(set(before) | set(after)):
        b, a = before.get(kind), after.get(kind)
        if b is None or a is None:
            left[kind] = None
        elif a != b:
            left[kind] = a - b
    errors = report.get("errors") or (report.get("raw_metrics") or {}).get("errors") or {}
    rest = {op for op in called if f"{op[0]} {op[1]}" not in excluded}
    return {
        "app": app,
        "operations": len(ops),
        "called": len(called),
        "with_2xx": len(ok),
        "cannot_succeed": excluded,
        "rest_called": len(rest),
        "rest_with_2xx": len(rest & ok),
        "rest_2xx_of_not_5xx": (rest_2xx / rest_not_5xx) if rest_not_5xx else 0.0,
        "requests": total,
        "shares": {k: (v / total if total else 0.0) for k, v in classes.items()},
        "counts": classes,
        "left_behind": left,
        "unlisted_kinds": [k for k in sorted(set(before) | set(after)) if left.get(k, 0) is None],
        "other_names": sorted(unknown),
        "goose_errors": len(errors),
    }


def failures(spec_file, report_file, limit=25):
    ops = operations(load(spec_file))
    report = load(report_file)
    rows = []
    for key, agg in requests_of(report).items():
        method, _, name = key.partition(" ")
        codes = status_counts(agg)
        if (method.upper(), name) in ops and not any(200 <= c < 300 for c in codes):
            rows.append((sum(codes.values()), key, codes))
    rows.sort(key=lambda r: -r[0])
    by_code = {}
    for _, _, codes in rows:
        for c, k in codes.items():
            by_code[c] = by_code.get(c, 0) + k
    print(f"  operations never answered 2xx: {len(rows)}; their answers by status: "
          + ", ".join(f"{c}: {k}" for c, k in sorted(by_code.items())))
    for n, key, codes in rows[:limit]:
        print(f"    {key}  " + " ".join(f"{c}x{k}" for c, k in sorted(codes.items())))
    errors = report.get("errors") or (report.get("raw_metrics") or {}).get("errors") or {}
    items = errors.values() if isinstance(errors, dict) else errors
    items = sorted(items, key=lambda e: -int(e.get("occurrences", 0) if isinstance(e, dict) else 0))
    if items:
        print(f"  Goose errors ({len(items)} kinds), most frequent:")
    for e in items[:limit]:
        if isinstance(e, dict):
            print(f"    {e.get('occurrences')}x {e.get('method')} {e.get('name')}: {str(e.get('error'))[:200]}")


def worst(spec_file, report_file, n):
    ops = operations(load(spec_file))
    rows = []
    for key, agg in requests_of(load(report_file)).items():
        method, _, name = key.partition(" ")
        codes = status_counts(agg)
        if (method.upper(), name) in ops and not any(200 <= c < 300 for c in codes):
            rows.append((-sum(codes.values()), key))
    for _, key in sorted(rows)[:n]:
        print(key)


def replay(stream):
    lines = stream.read().splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines or " " not in lines[0]:
        print("    (no request to replay)")
        return
    method, url = lines[0].split(" ", 1)
    headers, i = auth_headers(), 1
    while i < len(lines) and lines[i].strip():
        name, _, value = lines[i].partition(":")
        # `sample` hides the credential; the one exported for the app is sent instead.
        if value.strip() != "<not shown>":
            headers[name.strip()] = value.strip()
        i += 1
    body = "\n".join(lines[i + 1:]).strip()
    data = body.encode() if body else None
    kind = headers.get("content-type", "").lower()
    if "multipart" in kind:
        print(f"    {method} {url}: multipart body, not replayed")
        return
    if "x-www-form-urlencoded" in kind and body:
        try:
            form = json.loads(body)
            data = urllib.parse.urlencode(
                {k: v if isinstance(v, str) else json.dumps(v) for k, v in form.items()}
            ).encode()
        except (ValueError, AttributeError):
            pass
    req = urllib.request.Request(url.strip(), data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, text = resp.status, resp.read(4000).decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read(4000).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as e:
        print(f"    {method} {url}: no answer ({e})")
        return
    gist = " ".join(text.split())[:240]
    try:
        detail = json.loads(text).get("detail")
        if isinstance(detail, list) and all(isinstance(d, dict) for d in detail):
            gist = "; ".join(
                f"{d.get('type')} at {'.'.join(str(x) for x in d.get('loc', []))}"
                for d in detail[:6])
        elif isinstance(detail, list):  # ZenML: ["KeyError", "message"]
            gist = " ".join(" ".join(str(d) for d in detail).split())[:240]
        elif detail is not None:
            gist = " ".join(str(detail).split())[:240]
    except (ValueError, AttributeError):
        pass
    path = url.strip().split("//", 1)[-1].split("/", 1)[-1]
    print(f"    {status} {method} /{path[:120]}: {gist}")
    if body and status == 422:
        print(f"        body: {' '.join(body.split())[:300]}")


def pct(x):
    return f"{100 * x:.1f}%"


def left_text(left):
    parts = [f"{k} {v:+d}" for k, v in left.items() if v]
    unknown = [k for k, v in left.items() if v is None]
    if unknown and len(unknown) == len(left):
        return "unknown: no list answered after the run"
    text = ", ".join(parts) if parts else "none"
    if unknown:
        text += " (not listed: " + ", ".join(unknown) + ")"
    return text


def table(rows_file, date, users, run_time):
    rows = [json.loads(line) for line in open(rows_file) if line.strip()]
    print(f"Real apps, {date}: {users} users, {run_time} per app, --scenarios 'generated*' --no-wait")
    print()
    print("| app | operations | called | with a 2xx | cannot succeed here | rest with a 2xx | 2xx of the rest's non-5xx | requests | 2xx | 404 | 409 | 422 | other 4xx | 5xx | no answer | left behind |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        if r.get("failed"):
            print(f"| {r['app']} | | | | | | | | | | | | | | | failed: {r['failed']} |")
            continue
        s = r["shares"]
        rest = r.get("rest_called", r["called"])
        rest_ok = r.get("rest_with_2xx", r["with_2xx"])
        print(
            f"| {r['app']} | {r['operations']} | {r['called']} | {r['with_2xx']} | "
            f"{len(r.get('cannot_succeed', {}))} | {rest_ok}/{rest} ({pct(rest_ok / rest if rest else 0)}) | "
            f"{pct(r.get('rest_2xx_of_not_5xx', 0))} | {r['requests']:,} | "
            f"{pct(s['2xx'])} | {pct(s['404'])} | {pct(s['409'])} | {pct(s['422'])} | "
            f"{pct(s['other4xx'])} | {pct(s['5xx'])} | {pct(s['0'])} | {left_text(r['left_behind'])} |"
        )
    listed = [(r["app"], op, why) for r in rows for op, why in (r.get("cannot_succeed") or {}).items()]
    if listed:
        print()
        print("Left out as unable to succeed on a local install (benches/real_apps/<app>.sh, `app_cannot_succeed`):")
        print()
        for app, op, why in listed:
            print(f"- {app}: `{op}`: {why}")


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "ops":
        print(len(operations(load(args[0]))))
    elif cmd == "list":
        list_kinds(*args)
    elif cmd == "summary":
        print(json.dumps(summary(*args)))
    elif cmd == "failures":
        failures(args[0], args[1], int(args[2]) if len(args) > 2 else 25)
    elif cmd == "worst":
        worst(args[0], args[1], int(args[2]))
    elif cmd == "replay":
        replay(sys.stdin)
    elif cmd == "table":
        table(*args)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
