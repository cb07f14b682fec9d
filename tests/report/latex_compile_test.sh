#!/usr/bin/env bash
# Every LaTeX table actbench writes must compile: runs two small sweeps, writes the plain table, the
# table against a baseline, the complete table float (all three with the default, compact columns),
# the full table (--columns all) and the aggregate across both sweeps, and compiles each in a
# minimal article with pdflatex (Debian's texlive-latex-base, with booktabs from
# texlive-latex-recommended). Fails on any LaTeX error and on characters the font lacks. The compact
# tables must fit the text width of a portrait article at its normal 10 pt size (no overfull box);
# the full table and the aggregate are set on a landscape page. The PDFs (and, with pdftoppm, PNGs
# of their first pages) are kept in ARTIFACT_DIR/latex/.
# Usage: latex_compile_test.sh ACTBENCH_BINARY ARTIFACT_DIR
set -euo pipefail
actbench=$(readlink -f "$1")
artifacts=$(mkdir -p "$2/latex" && readlink -f "$2/latex")
scratch=$(mktemp -d /tmp/actbench-latex-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
fail() { echo "FAILED: $*"; echo "0 passed, 1 failed"; exit 1; }
command -v pdflatex >/dev/null || fail "pdflatex is not installed (scripts/install_deps.sh installs texlive)"
kpsewhich booktabs.sty >/dev/null || fail "booktabs.sty is missing (texlive-latex-recommended)"

cd "$scratch"
printf 'data: {dataset: synthetic}\nmodel: {hidden: [16, 16]}\ntrain: {epochs: 2}\n' > base.yaml
printf 'data: {dataset: synthetic}\nmodel: {hidden: [8]}\ntrain: {epochs: 2}\n' > narrow.yaml
"$actbench" sweep base.yaml model.activation=relu,tanh,leaky_relu seed=0,1,2 --dir small > small.log
"$actbench" sweep narrow.yaml model.activation=relu,tanh,leaky_relu seed=0,1,2 --dir narrow > narrow.log

tables=(plain baseline float all aggregate)
"$actbench" report small --format latex --out plain.tex > /dev/null
"$actbench" report small --format latex --baseline model.activation=relu --out baseline.tex > /dev/null
"$actbench" report small --format latex --baseline model.activation=relu --latex-float \
  --out float.tex > /dev/null
"$actbench" report small --format latex --baseline model.activation=relu --columns all \
  --out all.tex > /dev/null
"$actbench" report small narrow --group-by model.activation --aggregate --format latex \
  --latex-float --resamples 500 --out aggregate.tex > /dev/null

compiled=0
for table in "${tables[@]}"; do
  [ -s "$table.tex" ] || fail "actbench wrote no $table.tex"
  # The default tables on article's own portrait page; the full table and the aggregate, one column
  # per layer or per setting, on a landscape one.
  # A bare tabular starts a paragraph: \noindent, as a paper sets it, so that the check measures the
  # table and not the paragraph's indent.
  page='' start='\\noindent'
  case "$table" in all | aggregate) page='\\usepackage[margin=1.5cm,landscape]{geometry}\n' ;; esac
  case "$table" in float | aggregate) start='' ;; esac
  {
    printf '\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{booktabs,graphicx}\n'
    printf "$page"'\\begin{document}\n'"$start"
    cat "$table.tex"
    printf '\\end{document}\n'
  } > "doc_$table.tex"
  if ! timeout 120 pdflatex -interaction=nonstopmode -halt-on-error "doc_$table.tex" > "$table.out" 2>&1; then
    grep -A3 '^!' "doc_$table.log" | head -20
    fail "pdflatex rejected the $table table"
  fi
  if grep -q 'Missing character' "doc_$table.log"; then
    grep 'Missing character' "doc_$table.log" | head -5
    fail "the $table table has characters the font lacks"
  fi
  case "$table" in
    plain | baseline)  # (the float scales itself to the width: its box never overflows)
      if grep -q 'Overfull \\hbox' "doc_$table.log"; then
        grep -A1 'Overfull \\hbox' "doc_$table.log" | head -4
        fail "the default $table table is wider than the text width of a portrait page"
      fi ;;
  esac
  cp "doc_$table.pdf" "$artifacts/$table.pdf"
  if command -v pdftoppm >/dev/null; then
    pdftoppm -png -r 110 -singlefile "doc_$table.pdf" "$artifacts/$table"
  fi
  compiled=$((compiled + 1))
done
echo "compiled ${compiled} LaTeX tables with pdflatex: ${tables[*]} (PDFs in $artifacts)"
echo "1 passed, 0 failed"
