#!/usr/bin/env bash
# register.xlsx, every sheet converted to CSV by LibreOffice headless, checked row for row:
# Register against data/register.csv, Exceptions against data/exceptions.csv, Population against
# the copies under sources/ (size and SHA-256 recomputed) and summary.json's totals, Sample
# against the sample records under sources/. Date-time cells must show the CSV's local time.
set -euo pipefail
site="${1:?usage: xlsx-check.sh SITE_DIR}"
command -v soffice >/dev/null || { echo "xlsx-check: soffice (LibreOffice) is missing" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$site/data/register.xlsx" "$work/register.xlsx"
# 44 = comma, 34 = double quote, 76 = UTF-8, 1 = first line; cells as shown (dates formatted);
# sheet -1 = every sheet, each to register-<Sheet>.csv.
HOME="$work" soffice --headless --norestore \
  --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1' \
  --outdir "$work" "$work/register.xlsx" >/dev/null 2>&1
[ -s "$work/register-Register.csv" ] || { echo "xlsx-check: LibreOffice did not convert register.xlsx" >&2; exit 1; }
python3 - "$site" "$work" <<'PY'
import csv, glob, hashlib, json, os, re, sys
site, work = sys.argv[1], sys.argv[2]

def rows(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        # A defused formula's apostrophe is the CSV's alone; LibreOffice reads CR LF in a cell as LF.
        return [[(c[1:] if c.startswith("'") else c).replace("\r\n", "\n") for c in r]
                for r in csv.reader(f)]

def sheet(name):
    path = os.path.join(work, f"register-{name}.csv")
    if not os.path.exists(path):
        sys.exit(f"xlsx-check: register.xlsx has no sheet {name}")
    return rows(path)

zoned = re.compile(r"^(.*) \(([A-Za-z_]+(?:/[A-Za-z_+-]+)*)\)$")

def same_as_csv(name, csv_file):
    want, got = rows(os.path.join(site, "data", csv_file)), sheet(name)
    if len(want) != len(got):
        sys.exit(f"xlsx-check: {csv_file} has {len(want)} rows, sheet {name} has {len(got)}")
    dates = set()
    for c, (a, b) in enumerate(zip(want[0], got[0])):
        m = zoned.match(b)
        if m and m.group(1) == a:
            dates.add(c)
        elif a != b:
            sys.exit(f"xlsx-check: {name} header {c + 1}: csv {a!r}, xlsx {b!r}")
    if not dates and name in ("Register", "Exceptions"):
        sys.exit(f"xlsx-check: sheet {name} names no zone in any date header")
    for i, (a, b) in enumerate(zip(want[1:], got[1:]), start=2):
        # A date-time cell shows the CSV's local wall time, without its offset.
        a = [v[:19] if c in dates else v for c, v in enumerate(a)]
        if a != b:
            sys.exit(f"xlsx-check: {name} row {i} differs:\n  csv:  {a}\n  xlsx: {b}")
    print(f"xlsx-check: sheet {name}: {len(want) - 1} rows identical to data/{csv_file}")

same_as_csv("Register", "register.csv")
same_as_csv("Exceptions", "exceptions.csv")

pop = sheet("Population")
head, body = pop[0], pop[1:]
col = {h: i for i, h in enumerate(head)}
for r in body[:-1]:
    with open(os.path.join(site, r[col["Copy in this site"]]), "rb") as f:
        data = f.read()
    if hashlib.sha256(data).hexdigest() != r[col["SHA-256"]] or str(len(data)) != r[col["Bytes"]]:
        sys.exit(f"xlsx-check: Population row for {r[0]}: size or SHA-256 differs from its copy")
summary = json.load(open(os.path.join(site, "data", "summary.json")))["population"]
total = body[-1]
want = [str(summary[k]) for k in ("rows_read", "accepted", "duplicates", "outside_period", "rejected")]
got = [total[col[h]] for h in ("Rows read", "Accepted", "Duplicates", "Outside the period", "Rejected")]
if total[0] != "Total" or want != got:
    sys.exit(f"xlsx-check: Population totals {got} differ from summary.json {want}")
print(f"xlsx-check: sheet Population: {len(body) - 1} files re-hashed, totals equal summary.json")

records = []
for path in sorted(glob.glob(os.path.join(site, "sources", "**", "*.json"), recursive=True)):
    try:
        doc = json.load(open(path, encoding="utf-8"))
    except ValueError:
        continue
    if isinstance(doc, dict) and doc.get("schema") == "pagerproof.sample.v1":
        records.append(doc)
has_sample = os.path.exists(os.path.join(work, "register-Sample.csv"))
if records and not has_sample:
    sys.exit("xlsx-check: a sample is recorded but register.xlsx has no Sample sheet")
if has_sample:
    sample = sheet("Sample")
    col = {h: i for i, h in enumerate(sample[0])}
    got = sorted(int(r[col["Incident"]]) for r in sample[1:])
    want = sorted(p["number"] for doc in records for p in doc["picks"])
    if got != want:
        sys.exit(f"xlsx-check: Sample sheet incidents {got} differ from the records' picks {want}")
    print(f"xlsx-check: sheet Sample: {len(got)} picks, as recorded")
PY
