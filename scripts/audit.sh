#!/usr/bin/env bash
# The dependency audit (run by scripts/test.sh, hence by .ci/run):
#   1. cargo-deny (installed once from crates.io into target/tools/) checks bans,
#      licences and sources against deny.toml;
#   2. scripts/yanked.py fails on a version crates.io has yanked pinned in Cargo.lock;
#   3. cargo-deny checks the RustSec advisories when their database (a git
#      repository on github.com) can be fetched. Where it cannot, this says so in
#      capitals and carries on, unless AUDIT_REQUIRE_ADVISORIES=1 (set it wherever
#      github.com is reachable, so a missing database fails instead of warning).
set -euo pipefail
cd "$(dirname "$0")/.."

DENY_VERSION=0.20.2
ADVISORY_DB=https://github.com/rustsec/advisory-db

log() { printf '==> [%s] %s\n' "$(date -u +%T)" "$*"; }

deny=target/tools/cargo-deny/bin/cargo-deny
if [ ! -x "$deny" ] || ! "$deny" --version | grep -q "$DENY_VERSION"; then
  log "installing cargo-deny $DENY_VERSION from crates.io into target/tools (once, a few minutes)"
  cargo install --locked --quiet cargo-deny --version "$DENY_VERSION" --root target/tools/cargo-deny
fi

log "cargo deny check bans licenses sources ($("$deny" --version))"
"$deny" --locked check --hide-inclusion-graph bans licenses sources

log "yanked versions pinned in Cargo.lock (crates.io index)"
python3 scripts/yanked.py

if timeout 20 git ls-remote --quiet "$ADVISORY_DB" HEAD >/dev/null 2>&1; then
  log "cargo deny check advisories (RustSec database from $ADVISORY_DB)"
  "$deny" --locked check --hide-inclusion-graph advisories
else
  echo "WARNING: RUSTSEC ADVISORIES NOT CHECKED: $ADVISORY_DB is out of reach from this machine" >&2
  if [ "${AUDIT_REQUIRE_ADVISORIES:-0}" = 1 ]; then
    exit 1
  fi
fi
