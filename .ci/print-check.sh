#!/usr/bin/env bash
# Prints a workpaper and the dashboard with headless Chromium (--print-to-pdf) and checks the PDFs
# with poppler-utils: a workpaper is one or two pages, carries its attributes and sign-off boxes
# and no navigation; the dashboard prints. Fails loudly when a tool is missing.
set -euo pipefail
site="$(cd "${1:?usage: print-check.sh SITE_DIR}" && pwd)"
for tool in chromium pdfinfo pdftotext; do
  command -v "$tool" >/dev/null || { echo "print-check: $tool is missing (install-tools.sh installs it)" >&2; exit 1; }
done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
print() { # URL PDF
  timeout 120 chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
    --print-to-pdf="$2" "$1" >/dev/null 2>&1
  [ -s "$2" ] || { echo "print-check: chromium printed nothing for $1" >&2; exit 1; }
}
pages() { pdfinfo "$1" | awk '/^Pages:/ {print $2}'; }

workpaper="$(find "$site/workpapers" -maxdepth 1 -name '[0-9]*.html' 2>/dev/null | sort | head -n 1)"
[ -n "$workpaper" ] || { echo "print-check: no workpaper in $site/workpapers (no sample recorded?)" >&2; exit 1; }
print "file://$workpaper" "$tmp/workpaper.pdf"
n="$(pages "$tmp/workpaper.pdf")"
if [ "$n" -lt 1 ] || [ "$n" -gt 2 ]; then
  echo "print-check: $(basename "$workpaper") prints on $n pages (want 1 or 2)" >&2; exit 1
fi
text="$(pdftotext -layout "$tmp/workpaper.pdf" -)"
for want in "Workpaper: incident" "Test attributes" "Acknowledged within target" "Prepared by" "Reviewed by"; do
  grep -qF "$want" <<<"$text" || { echo "print-check: the printed workpaper lacks \"$want\"" >&2; exit 1; }
done
# The site navigation is not printed.
if grep -qE "Dashboard +Register +Postmortems" <<<"$text"; then
  echo "print-check: the printed workpaper shows the navigation" >&2; exit 1
fi

print "file://$site/index.html" "$tmp/dashboard.pdf"
n="$(pages "$tmp/dashboard.pdf")"
[ "$n" -ge 1 ] || { echo "print-check: the dashboard printed no page" >&2; exit 1; }
# Read the text first: grep -q would stop reading early and fail the pipe under pipefail.
text="$(pdftotext "$tmp/dashboard.pdf" -)"
for want in "Population" "Exceptions"; do
  grep -qF "$want" <<<"$text" || { echo "print-check: the printed dashboard lacks \"$want\"" >&2; exit 1; }
done
echo "print-check: $(basename "$workpaper") on $(pages "$tmp/workpaper.pdf") page(s), dashboard on $n"
