#!/usr/bin/env bash
# Prints the tests that did not run their real check because their data or service was
# missing, and why: each such test writes one line to target/tmp/skipped-tests.tsv
# (tests/common/skip.rs). scripts/test.sh empties the list first and calls this at its
# end; after a run of some tests alone it shows theirs:
#
#   bash scripts/skipped_tests.sh --clear
#   WIJKATLAS_SHARED=$(mktemp -d) cargo test --test real_sources
#   bash scripts/skipped_tests.sh
#
# Exits 0 either way: under CI=true a missing dependency already failed its test.
set -euo pipefail
cd "$(dirname "$0")/.."
skip_log="${CARGO_TARGET_DIR:-target}/tmp/skipped-tests.tsv"
if [ "${1:-}" = "--clear" ]; then
  mkdir -p "$(dirname "$skip_log")"
  rm -f "$skip_log"
  exit 0
fi
if [ -s "$skip_log" ]; then
  printf '\n== skipped: %s test(s) did not run their real check\n' "$(cut -f1 "$skip_log" | sort -u | wc -l)"
  sort -u "$skip_log" | while IFS=$'\t' read -r test missing how; do
    printf '  %s\n      missing: %s\n      to run it: %s\n' "$test" "$missing" "$how"
  done
  echo "  (under CI=true each of these fails instead)"
else
  printf '\n== skipped: none (every test ran its real check)\n'
fi
