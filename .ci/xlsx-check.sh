#!/usr/bin/env bash
# register.xlsx, converted to CSV by LibreOffice headless, must hold the same rows as register.csv.
set -euo pipefail
site="${1:?usage: xlsx-check.sh SITE_DIR}"
command -v soffice >/dev/null || { echo "xlsx-check: soffice (LibreOffice) is missing" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$site/data/register.xlsx" "$work/register.xlsx"
# 44 = comma, 34 = double quote, 76 = UTF-8, 1 = first line; full cell text as shown.
HOME="$work" soffice --headless --norestore --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false' \
  --outdir "$work" "$work/register.xlsx" >/dev/null 2>&1
[ -s "$work/register.csv" ] || { echo "xlsx-check: LibreOffice did not convert register.xlsx" >&2; exit 1; }
python3 - "$site/data/register.csv" "$work/register.csv" <<'PY'
import csv, sys
def rows(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [[c[1:] if c.startswith("'") else c for c in r] for r in csv.reader(f)]
want, got = rows(sys.argv[1]), rows(sys.argv[2])
if len(want) != len(got):
    sys.exit(f"xlsx-check: register.csv has {len(want)} rows, register.xlsx has {len(got)}")
for i, (a, b) in enumerate(zip(want, got), start=1):
    if a != b:
        sys.exit(f"xlsx-check: row {i} differs:\n  csv:  {a}\n  xlsx: {b}")
print(f"xlsx-check: {len(want) - 1} incident rows identical in register.csv and register.xlsx (via LibreOffice)")
PY
