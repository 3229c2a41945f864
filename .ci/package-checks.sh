#!/usr/bin/env bash
# Checks the audit package with independent tools: LoC's bagit.py, coreutils sha256sum and the
# reference minisign. Usage: .ci/package-checks.sh [BINARY] [SITE_DIR]
# (defaults: target/release/pagerproof, the repo root). Never skips: a missing tool is a failure.
set -euo pipefail

BIN=${1:-target/release/pagerproof}
SITE=${2:-.}

fail() {
    echo "package-checks: FAIL: $*" >&2
    exit 1
}
step() { echo "package-checks: $*"; }

[ -x "$BIN" ] || fail "no pagerproof binary at $BIN (run cargo build --release first)"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
[ -f "$SITE/site.toml" ] || fail "no site.toml in $SITE"

# Tools: minisign and unzip from Debian, bagit from PyPI in a virtualenv.
if ! command -v minisign >/dev/null || ! command -v unzip >/dev/null; then
    step "installing minisign and unzip"
    apt-get update -qq >/dev/null || fail "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq minisign unzip >/dev/null \
        || fail "apt-get install minisign unzip failed"
fi
for tool in minisign unzip sha256sum sha512sum python3; do
    command -v "$tool" >/dev/null || fail "required tool \`$tool\` is missing"
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

step "installing bagit (LoC bagit-python) into a virtualenv"
python3 -m venv "$WORK/venv" || fail "python3 -m venv failed (install python3-venv)"
"$WORK/venv/bin/pip" install -q bagit >/dev/null || fail "pip install bagit failed"
BAGIT="$WORK/venv/bin/bagit.py"
[ -x "$BAGIT" ] || fail "bagit.py missing after pip install"

step "keygen (encrypted with PAGERPROOF_KEY_PASSWORD)"
export PAGERPROOF_KEY_PASSWORD="ci-only-passphrase"
"$BIN" keygen --out "$WORK/ci.key" || fail "pagerproof keygen failed"
[ -f "$WORK/ci.pub" ] || fail "keygen wrote no $WORK/ci.pub"

step "package --sign"
OUT=$("$BIN" package --site "$SITE" --sign "$WORK/ci.key") || fail "pagerproof package failed"
echo "$OUT"
ZIP=$(sed -n 's/^package: //p' <<<"$OUT")
[ -f "$ZIP" ] || fail "package printed no zip path (got '$ZIP')"
NAME=$(basename "$ZIP" .zip)
DIST=$(dirname "$ZIP")
FIRST_SHA=$(sha256sum "$ZIP" | cut -d' ' -f1)

step "sha256sum -c $NAME.zip.sha256 beside the zip"
(cd "$DIST" && sha256sum -c --strict "$NAME.zip.sha256") || fail "sha256sum -c $NAME.zip.sha256"

step "minisign -Vm (reference tool) with the public key"
minisign -Vm "$ZIP" -p "$WORK/ci.pub" || fail "minisign -Vm rejected $ZIP.minisig"
minisign -V -H -q -m "$ZIP" -p "$WORK/ci.pub" || fail "minisign -V -H (prehashed) rejected the signature"

step "minisign signs with a pagerproof secret key"
echo "compat" >"$WORK/compat.txt"
printf '%s\n' "$PAGERPROOF_KEY_PASSWORD" | minisign -S -s "$WORK/ci.key" -m "$WORK/compat.txt" >/dev/null \
    || fail "minisign cannot use the secret key pagerproof keygen wrote"
minisign -Vm "$WORK/compat.txt" -p "$WORK/ci.pub" >/dev/null || fail "minisign signature by our key does not verify"

step "unzip and validate with bagit.py --validate"
unzip -q "$ZIP" -d "$WORK/unzipped" || fail "unzip $ZIP"
BAG="$WORK/unzipped/$NAME"
[ -f "$BAG/bagit.txt" ] || fail "$ZIP does not hold one bag named $NAME/"
[ "$(find "$WORK/unzipped" -mindepth 1 -maxdepth 1 | wc -l)" -eq 1 ] || fail "$ZIP holds more than one top-level entry"
"$BAGIT" --quiet --validate "$BAG" || fail "bagit.py --validate $BAG"
echo "bagit.py --validate: $BAG is valid"

step "sha256sum -c / sha512sum -c inside the bag"
(cd "$BAG" && sha256sum -c --strict --quiet manifest-sha256.txt) || fail "sha256sum -c manifest-sha256.txt"
(cd "$BAG" && sha512sum -c --strict --quiet manifest-sha512.txt) || fail "sha512sum -c manifest-sha512.txt"
(cd "$BAG" && sha256sum -c --strict --quiet tagmanifest-sha256.txt) || fail "sha256sum -c tagmanifest-sha256.txt"

step "pagerproof verify (zip, unzipped bag, signature)"
"$BIN" verify "$ZIP" --pubkey "$WORK/ci.pub" || fail "pagerproof verify $ZIP --pubkey"
"$BIN" verify "$BAG" || fail "pagerproof verify $BAG"

step "the package rebuilds from its own data/sources/, file for file (verify --rebuild)"
"$BIN" verify "$ZIP" --rebuild | tail -2 || fail "pagerproof verify --rebuild $ZIP"
grep -q '^Prepared-At: ' "$BAG/bag-info.txt" || fail "bag-info.txt has no Prepared-At"

step "tampering is caught by bagit.py and pagerproof verify"
FIRST=$(find "$BAG/data" -type f | LC_ALL=C sort | sed -n 1p)
printf 'x' >>"$FIRST"
if "$BAGIT" --validate "$BAG" >/dev/null 2>&1; then fail "bagit.py accepted a tampered bag"; fi
if "$BIN" verify "$BAG" >/dev/null 2>&1; then fail "pagerproof verify accepted a tampered bag"; fi

# The first run bagged the site `build` left in public/ (when there is one); this one renders the
# site straight into the zip, with public/ moved aside: both ways must give the same bytes.
step "rebuild under another TZ and umask, rendered straight into the zip, gives the same zip"
[ -d "$SITE/public" ] && mv "$SITE/public" "$WORK/public"
status=0
(umask 077 && TZ=Pacific/Chatham LC_ALL=C "$BIN" package --site "$SITE" >/dev/null) || status=$?
[ -d "$WORK/public" ] && mv "$WORK/public" "$SITE/public"
[ "$status" = 0 ] || fail "second package run failed"
SECOND_SHA=$(sha256sum "$ZIP" | cut -d' ' -f1)
[ "$FIRST_SHA" = "$SECOND_SHA" ] || fail "package is not reproducible: $FIRST_SHA then $SECOND_SHA"
minisign -Vm "$ZIP" -p "$WORK/ci.pub" -q || fail "the signature no longer matches the rebuilt zip"

step "all package checks passed"
