#!/usr/bin/env bash
# The HTML report as a person sees it: runs a small sweep, renders `actbench report --format html`
# in headless Chromium (Debian's chromium package) at a 1200 px wide window and checks what a reader
# sees with html_checks.js (no sideways scrolling, no chart wider than the window, the width used:
# the per-seed chart beside the table and the learning curves side by side, integer epoch
# and layer ticks, fraction axes inside [0, 1], log axes with ticks, the strip plot's dots, hover
# values, toggling a group), then takes a screenshot, kept as test-artifacts/report.png.
# Usage: html_render_test.sh ACTBENCH_BINARY ARTIFACT_DIR
set -euo pipefail
actbench=$(readlink -f "$1")
artifacts=$(mkdir -p "$2" && readlink -f "$2")
checks_js="$(dirname "$(readlink -f "$0")")/html_checks.js"
scratch=$(mktemp -d /tmp/actbench-html-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
fail() { echo "FAILED: $*"; echo "0 passed, 1 failed"; exit 1; }
command -v chromium >/dev/null || fail "chromium is not installed (scripts/install_deps.sh installs it)"

cd "$scratch"
printf 'data: {dataset: synthetic}\nmodel: {hidden: [16, 16]}\ntrain: {epochs: 3}\n' > base.yaml
"$actbench" sweep base.yaml model.activation=relu,tanh,sigmoid seed=0,1 --dir sweep > sweep.log
"$actbench" report sweep --format html --baseline model.activation=relu --resamples 500 \
  --out report.html > /dev/null
for figure in learning_curves seeds grad_norm_depth dead_fraction; do
  [ -f "sweep/plots/$figure.svg" ] || fail "no plots/$figure.svg"
done

# The report with the checks appended before its last line (</body></html>); 6 runs, so the strip
# plot needs 6 seed dots and 3 mean dots.
[ "$(tail -n 1 report.html)" = "</body></html>" ] || fail "report.html does not end with </body></html>"
{ sed -e '$d' -e 's|<body>|<body data-runs="9">|' report.html; printf '<script>\n';
  cat "$checks_js"; printf '</script>\n</body></html>\n'; } > probe.html

flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$scratch/profile" --window-size=1200,900)
timeout 120 chromium "${flags[@]}" --dump-dom "file://$scratch/probe.html" > dom.html 2> chromium.log \
  || fail "chromium --dump-dom: $(tail -3 chromium.log)"
checks=$(sed -n '/<pre id="checks">/,/<\/pre>/p' dom.html | sed 's/<[^>]*>//g')
[ -n "$checks" ] || fail "the checks did not run (no <pre id=\"checks\"> in the rendered DOM)"
echo "$checks"
[ "$(grep -c '^ok ' <<< "$checks")" -ge 13 ] || fail "fewer than 13 checks ran"
if grep -q '^FAIL' <<< "$checks"; then fail "$(grep '^FAIL' <<< "$checks" | head -3)"; fi
grep -q '<td>relu</td>' dom.html || fail "the table's relu row is missing"
grep -q '(baseline)' dom.html || fail "the table does not mark the baseline"

timeout 120 chromium "${flags[@]/--window-size=1200,900/--window-size=1200,2400}" \
  --screenshot="$artifacts/report.png" "file://$scratch/report.html" >> chromium.log 2>&1 \
  || fail "chromium --screenshot"
size=$(stat -c %s "$artifacts/report.png")
[ "$size" -gt 20000 ] || fail "the screenshot is suspiciously small ($size bytes)"
echo "rendered report: every check passed, screenshot $artifacts/report.png ($size bytes)"
echo "1 passed, 0 failed"
