#!/usr/bin/env bash
# Accessibility: axe-core (WCAG 2.1 A and AA rules) in headless Chromium on every page family of
# the built site, from file://. Any violation fails, listed with the page and the elements.
set -euo pipefail
site="$(cd "${1:?usage: a11y-check.sh SITE_DIR}" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
command -v chromium >/dev/null || { echo "a11y-check: chromium is missing" >&2; exit 1; }
command -v node >/dev/null || { echo "a11y-check: node is missing" >&2; exit 1; }
for module in playwright-core axe-core; do
  [ -d "$here/node/node_modules/$module" ] || { echo "a11y-check: npm package $module is missing (run .ci/install-tools.sh)" >&2; exit 1; }
done
NODE_PATH="$here/node/node_modules" node "$here/a11y-check.js" "$site"
