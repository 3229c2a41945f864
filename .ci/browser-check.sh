#!/usr/bin/env bash
# Opens the built site from file:// in headless Chromium (playwright-core drives Debian's chromium)
# and fails on any request that is not file:, any CSP violation or script error, a register query
# (word, two words, incident number, no match) slower than 2 s or loading every index shard, or a
# register filter link that does not list exactly its rows.
set -euo pipefail
site="$(cd "${1:?usage: browser-check.sh SITE_DIR}" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
command -v chromium >/dev/null || { echo "browser-check: chromium is missing" >&2; exit 1; }
command -v node >/dev/null || { echo "browser-check: node is missing" >&2; exit 1; }
if [ ! -d "$here/node/node_modules/playwright-core" ]; then
  mkdir -p "$here/node"
  (cd "$here/node" && npm install --silent --no-audit --no-fund playwright-core@1 >/dev/null)
fi
NODE_PATH="$here/node/node_modules" node "$here/browser-check.js" "$site"
