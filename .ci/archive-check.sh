#!/usr/bin/env bash
# Two chained periods and their archive (issue 15). The previous period is a STAND-IN: the example
# generator cannot yet write an FY2025, so a smaller seeded site (same calendar) is generated into
# a temp dir, renamed "FY2025 stand-in" and given policy version 3.1. Packages both, chains the
# example to it, builds the archive, checks "chain intact" and the hash, and runs the browser check
# on the archive index. Usage: .ci/archive-check.sh BINARY
set -euo pipefail
bin="$(cd "$(dirname "${1:?usage: archive-check.sh BINARY}")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

prev="$work/previous"
cargo run --quiet --release --example generate -- --incidents 400 --seed 2025 --out "$prev" --quiet
sed -i 's/^name = "FY2026"$/name = "FY2025 stand-in"/' "$prev/site.toml"
sed -i '0,/^version = ".*"$/s//version = "3.1"/' "$prev/content/policies/incident-response.md"
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
"$bin" package --site "$cur" >/dev/null
new_zip="$(ls "$cur"/dist/*.zip)"

want="$(sha256sum "$old_zip" | cut -d' ' -f1)"
unzip -p "$new_zip" '*/bag-info.txt' | grep -qx "Previous-Package-SHA256: $want" \
  || { echo "archive-check: bag-info.txt lacks Previous-Package-SHA256: $want" >&2; exit 1; }
grep -q 'P1 acknowledge within\|Version 3.1 then' "$cur/public/changes.html" \
  || { echo "archive-check: changes.html lacks the policy change" >&2; exit 1; }

"$bin" archive --out "$work/archive" "$old_zip" "$new_zip" | tee "$work/archive.log"
grep -q "chain intact" "$work/archive/index.html" \
  || { echo "archive-check: index.html does not say chain intact" >&2; exit 1; }
bash "$root/.ci/browser-check.sh" "$work/archive"
echo "archive-check: two chained periods archived, chain intact"
