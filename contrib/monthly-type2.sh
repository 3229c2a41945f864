#!/usr/bin/env bash
# The monthly job of a SOC 2 Type II period: refresh the snapshots, check the inputs, build,
# package (signed), and add the package to the archive every period is hosted from.
#
#   PAGERDUTY_API_TOKEN=… JIRA_EMAIL=… JIRA_API_TOKEN=… PAGERPROOF_KEY_PASSWORD=… \
#   contrib/monthly-type2.sh SITE_DIR ARCHIVE_DIR SECRET_KEY
#
# SITE_DIR's site.toml names the period (and, from the second period on, `[package] previous`).
# Run it from a scheduler once a month; every step stops the job on failure.
set -euo pipefail
site="${1:?usage: monthly-type2.sh SITE_DIR ARCHIVE_DIR SECRET_KEY}"
archive="${2:?usage: monthly-type2.sh SITE_DIR ARCHIVE_DIR SECRET_KEY}"
key="${3:?usage: monthly-type2.sh SITE_DIR ARCHIVE_DIR SECRET_KEY}"
pagerproof="${PAGERPROOF:-pagerproof}"

# 1. Fetch: PagerDuty (incidents, log entries, on-call configuration, audit records) and the
#    Jira issues postmortems refer to, into the site's content/.
"$pagerproof" fetch pagerduty --site "$site" --quiet
"$pagerproof" fetch jira --site "$site" --quiet

# 2. Check every input; warnings are findings too in a Type II period.
"$pagerproof" check --site "$site" --strict

# 3 and 4. Build and package; the zip, its .sha256 and its .minisig land in [output] dist.
"$pagerproof" package --site "$site" --sign "$key"

# 5. Verify it as the auditor will, then add it to the archive (re-verifies every held zip).
dist="$site/$(sed -n 's/^dist *= *"\(.*\)"/\1/p' "$site/site.toml" | head -n1)"
[ "$dist" = "$site/" ] && dist="$site/dist"
zip="$(ls -t "$dist"/*.zip | head -n1)"
"$pagerproof" verify "$zip" --pubkey "$key.pub"
"$pagerproof" archive --out "$archive" "$zip" --pubkey "$key.pub"

# Commit the snapshots so next month's package records the content commit it was built from.
if git -C "$site" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$site" add -A content site.toml
  git -C "$site" commit -q -m "evidence: monthly snapshot $(date -u +%Y-%m)" || true
fi
