#!/usr/bin/env bash
# Dependency checks: licences, bans and sources with cargo-deny (deny.toml), and known
# vulnerabilities (RustSec advisories) with cargo-deny and cargo-audit.
#
#   bash scripts/audit.sh        # STRICT=1: also fail when advisories could not be checked
#
# Installs cargo-deny and cargo-audit from crates.io when missing. The licence, bans and
# sources checks need only crates.io; the advisory database is cloned from GitHub. When
# a tool cannot fetch it, the advisories are checked against a local copy of the
# database if there is one (its date is printed), else reported as NOT CHECKED: the run
# then passes or fails on the other checks alone, unless STRICT=1.
set -uo pipefail
cd "$(dirname "$0")/.."
STRICT="${STRICT:-0}"
cargo_home="${CARGO_HOME:-$HOME/.cargo}"

for tool in cargo-deny cargo-audit; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "installing $tool from crates.io…" >&2
    cargo install --locked "$tool" || { echo "could not install $tool" >&2; exit 1; }
  fi
done
cargo deny --version
cargo audit --version

out=$(mktemp)
trap 'rm -f "$out"' EXIT
results=()
failed=0
unchecked=0
record() { # status(0 = pass) name
  if [ "$1" -eq 0 ]; then results+=("pass          $2"); else results+=("FAIL          $2"); failed=1; fi
}
fetch_failed() { grep -qiE "fail(ed)? to fetch advisory database|couldn't fetch advisory database" "$out"; }
db_date() { git -C "$1" log -1 --format=%cs 2>/dev/null || echo "unknown date"; }

printf '\n== cargo deny check licenses bans sources\n'
cargo deny check --hide-inclusion-graph licenses bans sources
record $? "cargo deny: licenses, bans, sources"

printf '\n== cargo deny check advisories\n'
cargo deny check advisories >"$out" 2>&1
status=$?
cat "$out"
if [ "$status" -eq 0 ]; then
  record 0 "cargo deny: advisories"
elif fetch_failed; then
  local_db=$(find "$cargo_home/advisory-dbs" -mindepth 2 -maxdepth 2 -type d -name crates 2>/dev/null | head -1)
  if [ -n "$local_db" ]; then
    local_db=$(dirname "$local_db")
    printf '\n== cargo deny --offline check advisories (local database of %s)\n' "$(db_date "$local_db")"
    cargo deny --offline check advisories
    record $? "cargo deny: advisories, against a local database of $(db_date "$local_db") (could not fetch)"
  else
    results+=("NOT CHECKED   cargo deny: advisories (the database could not be fetched and there is no local copy)")
    unchecked=1
  fi
else
  record 1 "cargo deny: advisories"
fi

printf '\n== cargo audit\n'
cargo audit >"$out" 2>&1
status=$?
cat "$out"
if [ "$status" -eq 0 ]; then
  record 0 "cargo audit"
elif fetch_failed; then
  if [ -d "$cargo_home/advisory-db/crates" ]; then
    printf '\n== cargo audit --no-fetch --stale (local database of %s)\n' "$(db_date "$cargo_home/advisory-db")"
    cargo audit --no-fetch --stale
    record $? "cargo audit, against a local database of $(db_date "$cargo_home/advisory-db") (could not fetch)"
  else
    results+=("NOT CHECKED   cargo audit (the database could not be fetched and there is no local copy)")
    unchecked=1
  fi
else
  record 1 "cargo audit"
fi

printf '\n== audit summary\n'
printf '%s\n' "${results[@]}"
if [ "$unchecked" -eq 1 ]; then
  echo "Known vulnerabilities were NOT checked (the RustSec database is on GitHub, which this"
  echo "machine cannot reach): run this again where github.com is reachable."
  [ "$STRICT" = 1 ] && failed=1
fi
exit "$failed"
