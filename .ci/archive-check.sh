#!/usr/bin/env bash
# Two chained periods and their archive (issue 15). The generator writes the year before the
# example (FY2025: smaller, Incident Response Policy 2.4 with a two-day P2 resolve target) into a
# temp dir; both are packaged, the example chained to FY2025 by `[package] previous`, the archive
# built and checked ("chain intact", the hash), and the browser check run on the archive index and
# on the FY2026 site (its changes.html among its pages). Usage: .ci/archive-check.sh BINARY
set -euo pipefail
bin="$(cd "$(dirname "${1:?usage: archive-check.sh BINARY}")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

prev="$work/previous"
cargo run --quiet --release --example generate -- --period fy2025 --out "$prev" --quiet
"$bin" package --site "$prev" >/dev/null
old_zip="$(ls "$prev"/dist/*.zip)"

cur="$work/current"
mkdir -p "$cur"
cp -r "$root/site.toml" "$root/content" "$cur/"
# Chain to the previous package: into the site's [package] table when it has one.
if grep -q '^\[package\]' "$cur/site.toml"; then
  sed -i "/^\[package\]/a previous = \"$old_zip\"" "$cur/site.toml"
else
  printf '\n[package]\nprevious = "%s"\n' "$old_zip" >>"$cur/site.toml"
fi
# Built first: the checks below read its pages, and `package` bags that build.
"$bin" build --site "$cur" --quiet >/dev/null
"$bin" package --site "$cur" >/dev/null
new_zip="$(ls "$cur"/dist/*.zip)"

want="$(sha256sum "$old_zip" | cut -d' ' -f1)"
unzip -p "$new_zip" '*/bag-info.txt' | grep -qx "Previous-Package-SHA256: $want" \
  || { echo "archive-check: bag-info.txt lacks Previous-Package-SHA256: $want" >&2; exit 1; }
grep -q 'Version 2.4 then 3.2' "$cur/public/changes.html" \
  && grep -q '<td>P2 resolve within</td><td>48h</td><td>24h</td>' "$cur/public/changes.html" \
  || { echo "archive-check: changes.html lacks the policy change (2.4 to 3.2, P2 resolve 48h to 24h)" >&2; exit 1; }
grep -q 'href="changes.html">Changes</a>' "$cur/public/index.html" \
  || { echo "archive-check: the FY2026 navigation lacks changes.html" >&2; exit 1; }

"$bin" archive --out "$work/archive" "$old_zip" "$new_zip" | tee "$work/archive.log"
grep -q "chain intact" "$work/archive/index.html" \
  || { echo "archive-check: index.html does not say chain intact" >&2; exit 1; }
bash "$root/.ci/browser-check.sh" "$work/archive"
bash "$root/.ci/browser-check.sh" "$cur/public"
echo "archive-check: two chained periods archived, chain intact"
