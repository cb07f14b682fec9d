#!/usr/bin/env bash
# The HTML report as a person sees it: runs a small sweep, renders `actbench report --format html` in
# headless Chromium (Debian's chromium package), checks the rendered DOM (the table, three figures with
# their SVG charts) and takes a screenshot, kept as tests-artifacts/report.png in the build directory.
# Usage: html_render_test.sh ACTBENCH_BINARY ARTIFACT_DIR
set -euo pipefail
actbench=$(readlink -f "$1")
artifacts=$(mkdir -p "$2" && readlink -f "$2")
scratch=$(mktemp -d /tmp/actbench-html-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
fail() { echo "FAILED: $*"; echo "0 passed, 1 failed"; exit 1; }
command -v chromium >/dev/null || fail "chromium is not installed (scripts/install_deps.sh installs it)"

cd "$scratch"
printf 'data: {dataset: synthetic}\nmodel: {hidden: [16, 16]}\ntrain: {epochs: 3}\n' > base.yaml
"$actbench" sweep base.yaml model.activation=relu,tanh,sigmoid seed=0,1 --dir sweep > sweep.log
"$actbench" report sweep --format html --out report.html > /dev/null
[ -f sweep/plots/learning_curves.svg ] || fail "no plots/learning_curves.svg"

flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$scratch/profile")
timeout 120 chromium "${flags[@]}" --dump-dom "file://$scratch/report.html" > dom.html 2> chromium.log \
  || fail "chromium --dump-dom: $(tail -3 chromium.log)"
[ "$(grep -o '<figure' dom.html | wc -l)" -eq 3 ] || fail "expected 3 figures in the rendered DOM"
[ "$(grep -o '<svg' dom.html | wc -l)" -eq 3 ] || fail "expected one SVG chart per figure in the rendered DOM"
[ "$(grep -o '<polyline\|<path' dom.html | wc -l)" -ge 20 ] || fail "the charts draw almost no lines"
grep -q '<td>relu</td>' dom.html || fail "the table's relu row is missing"
grep -q '± ' dom.html || fail "no mean ± std cells"
timeout 120 chromium "${flags[@]}" --window-size=1300,1800 --screenshot="$artifacts/report.png" \
  "file://$scratch/report.html" >> chromium.log 2>&1 || fail "chromium --screenshot"
size=$(stat -c %s "$artifacts/report.png")
[ "$size" -gt 20000 ] || fail "the screenshot is suspiciously small ($size bytes)"
echo "rendered report: 3 figures, screenshot $artifacts/report.png ($size bytes)"
echo "1 passed, 0 failed"
