#!/usr/bin/env bash
# Regenerates the generated parts of docs/ from the built binary (build/actbench): the config schema
# table in docs/config.md, between its schema:begin and schema:end markers. The test
# GeneratedDocs.ConfigSchemaMatchesTheBinary fails until this has been run after a schema change.
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
