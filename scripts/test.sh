#!/usr/bin/env bash
# The whole suite: tap runs every test/**/*.test.ts with coverage thresholds,
# then one closing line "N passed, N failed" that CI reads. tap's exit code
# is kept (pipefail).
set -o pipefail
cd "$(dirname "$0")/.."
npx tap --reporter=tap "$@" | node scripts/tap-summary.mjs
