#!/usr/bin/env bash
# Render a run's summary.html in headless Chromium with networking off, and check that its
# charts are drawn: the page's DOM holds the expected <svg> charts and the screenshot is not
# a blank page. Usage: tests/render_summary.sh RUN_FOLDER_OR_SUMMARY_HTML [OUT.png] [CHARTS]
# CHARTS is how many <svg> charts to expect (default: at least 1). Needs `chromium`
# (apt-get install chromium). As root, Chromium runs in a network namespace of its own
# (unshare --net), so the page can not reach anything even if it tried.
set -euo pipefail

page="${1:?usage: $0 RUN_FOLDER_OR_SUMMARY_HTML [OUT.png] [CHARTS]}"
[ -d "$page" ] && page="$page/summary.html"
[ -f "$page" ] || { echo "no such file: $page" >&2; exit 1; }
page="$(cd "$(dirname "$page")" && pwd)/$(basename "$page")"
out="${2:-${page%.html}.png}"
want="${3:-1}"

chromium="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
[ -n "$chromium" ] || { echo "chromium not found; install it with: apt-get install chromium" >&2; exit 1; }

offline=()
if [ "$(id -u)" = 0 ] && unshare --net true 2>/dev/null; then
    offline=(unshare --net)
fi
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile")

"${offline[@]}" "$chromium" "${flags[@]}" --screenshot="$out" --window-size=1280,2400 \
    "file://$page" >/dev/null 2>&1
dom="$("${offline[@]}" "$chromium" "${flags[@]}" --dump-dom "file://$page" 2>/dev/null)"

charts="$({ grep -o '<svg' <<<"$dom" || true; } | wc -l)"
size="$(stat -c %s "$out" 2>/dev/null || echo 0)"
echo "rendered $page: $charts chart(s), screenshot $out ($size bytes)${offline:+, no network}"
[ "$charts" -ge "$want" ] || { echo "expected at least $want chart(s)" >&2; exit 1; }
# A blank 1280x2400 page is a few kilobytes; one drawn chart is tens.
[ "$size" -gt 40000 ] || { echo "the screenshot looks blank" >&2; exit 1; }
