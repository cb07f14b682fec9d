#!/usr/bin/env bash
# Regenerates the generated parts of README.md and docs/ from the built binary (build/actbench): the
# config schema table in docs/config.md, between its schema:begin and schema:end markers, and every
# pasted command output (a fenced block starting `$ actbench ...` without a "..." line), by running
# the test DocsOutputs.EveryPastedOutputIsTheBinarys in its update mode (which pins the numeric
# kernels to AVX2, so the blocks are what any x86 machine with AVX2 prints). The tests
# GeneratedDocs.ConfigSchemaMatchesTheBinary and DocsOutputs.* fail until this has been run.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${ACTBENCH:-build/actbench}
table=$(mktemp)
trap 'rm -f "$table"' EXIT
"$binary" validate --schema > "$table"
awk -v table="$table" '
  /<!-- schema:begin/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
  /<!-- schema:end -->/ { skip = 0 }
  !skip { print }
' docs/config.md > docs/config.md.new
mv docs/config.md.new docs/config.md
echo "update_docs.sh: docs/config.md regenerated from $binary"
ACTBENCH_UPDATE_DOCS=1 "${ACTBENCH_TESTS:-build/actbench_tests}" \
  --gtest_filter='DocsOutputs.EveryPastedOutputIsTheBinarys' > /dev/null ||
  { echo "update_docs.sh: a block with \"...\" no longer matches: edit it by hand (run the test)" >&2; exit 1; }
echo "update_docs.sh: pasted outputs in README.md and docs/ regenerated"
