#!/usr/bin/env bash
# Search throughput (issue 21): candidates trained per CPU-hour on the search's proxy, as mixed
# packs against one run at a time, measured side by side. Takes the first N candidates of a
# search's round 0 (its generated sweep file, so the runs are exactly the search's), and trains
# them twice with one worker: `--pack N` (one mixed pack) and without packs (one process per
# run), alternating the order over the repetitions. CPU time is user + system of the sweep and
# its workers (what waiting for a core does not inflate).
#   bench/search_throughput.sh [SEARCH_DIR] [N] [REPETITIONS]
#   default: results/activation_search/search 32 2
set -euo pipefail
cd "$(dirname "$0")/.."
search=${1:-results/activation_search/search}
n=${2:-32}
repetitions=${3:-2}
actbench=${ACTBENCH:-./build/actbench}
[ -f "$search/round_0.yaml" ] || { echo "no $search/round_0.yaml: run the search first" >&2; exit 1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# The round's sweep file with its first N activations (and the proxy it is based on).
cp "$search/proxy.yaml" "$scratch/proxy.yaml"
awk -v n="$n" '
  /^    - / { if (++k > n) next }
  { print }' "$search/round_0.yaml" | sed 's/^name: .*/name: throughput/' > "$scratch/sweep.yaml"
runs=$(grep -c '^    - ' "$scratch/sweep.yaml")
measure() {  # label, extra sweep arguments
  local dir="$scratch/$1-$rep"
  /usr/bin/time -f '%e %U %S' -o "$scratch/time" \
    "$actbench" sweep "$scratch/sweep.yaml" --dir "$dir" --workers 1 "${@:2}" > /dev/null
  read -r wall user system < "$scratch/time"
  awk -v l="$1" -v r="$runs" -v w="$wall" -v u="$user" -v s="$system" 'BEGIN {
    cpu = u + s
    printf "%-8s %3d runs  wall %6.1f s  cpu %6.1f s  %7.0f runs per CPU-hour\n", l, r, w, cpu,
           r * 3600 / cpu }'
}
echo "first $runs candidates of $search/round_0.yaml, one worker, $("$actbench" --version | head -1)"
for rep in $(seq 1 "$repetitions"); do
  if [ $((rep % 2)) -eq 1 ]; then
    measure packed --pack "$runs"; measure alone
  else
    measure alone; measure packed --pack "$runs"
  fi
done
