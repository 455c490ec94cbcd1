#!/usr/bin/env bash
# Browser tests of `chitieu serve`: Debian's Chromium driven by playwright-core.
# Skips (exit 0, with a message) where Chromium is missing, except in CI (CI=true), where a
# missing browser is a failure.
set -euo pipefail
cd "$(dirname "$0")"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "FAIL: browser tests need $CHROMIUM (apt-get install chromium)" >&2
    exit 1
  fi
  echo "SKIP: browser tests need $CHROMIUM (apt-get install chromium); not run"
  exit 0
fi
if ! command -v node >/dev/null; then
  if [ "${CI:-}" = "true" ]; then echo "FAIL: node is missing" >&2; exit 1; fi
  echo "SKIP: browser tests need Node.js; not run"
  exit 0
fi
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund
if [ -z "${CHITIEU_BIN:-}" ]; then
  (cd ../../.. && cargo build --locked -q --bin chitieu)
  TARGET=${CARGO_TARGET_DIR:-../../../target}
  case "$TARGET" in /*) ;; *) [ -n "${CARGO_TARGET_DIR:-}" ] && TARGET=../../../$TARGET ;; esac
  CHITIEU_BIN=$TARGET/debug/chitieu
fi
CHROMIUM="$CHROMIUM" node run.mjs "$CHITIEU_BIN"
