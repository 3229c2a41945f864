#!/usr/bin/env bash
# Installs the outside tools CI's checks need, quietly. Fails loudly if one cannot be installed.
set -euo pipefail
need=()
command -v minisign >/dev/null || need+=(minisign)
command -v unzip >/dev/null || need+=(unzip)
command -v soffice >/dev/null || need+=(libreoffice-calc-nogui)
command -v chromium >/dev/null || need+=(chromium)
command -v npm >/dev/null || need+=(nodejs npm)
command -v pdftotext >/dev/null || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
for tool in minisign unzip soffice chromium node npm sha256sum python3 pdfinfo pdftotext; do
  command -v "$tool" >/dev/null || { echo "ci: required tool '$tool' is missing and could not be installed" >&2; exit 1; }
done
if [ ! -x .ci/.venv/bin/bagit.py ]; then
  python3 -m venv .ci/.venv
  .ci/.venv/bin/pip install --quiet --disable-pip-version-check bagit
fi
.ci/.venv/bin/bagit.py --version >/dev/null 2>&1 || { echo "ci: bagit.py is not runnable" >&2; exit 1; }
# playwright-core drives Debian's chromium (browser-check, a11y-check); axe-core is the WCAG checker.
if [ ! -d .ci/node/node_modules/playwright-core ] || [ ! -d .ci/node/node_modules/axe-core ]; then
  mkdir -p .ci/node
  (cd .ci/node && npm install --silent --no-audit --no-fund playwright-core@1 axe-core@4 >/dev/null)
fi
echo "tools: minisign $(minisign -v 2>&1 | sed -n 1p), $(soffice --version | sed -n 1p), $(chromium --version 2>/dev/null), bagit $(.ci/.venv/bin/bagit.py --version 2>&1), axe-core $(node -p 'require("./.ci/node/node_modules/axe-core/package.json").version')"
