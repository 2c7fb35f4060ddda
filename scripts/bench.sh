#!/usr/bin/env bash
# The benchmark. Without arguments: N applications (AUTOAPPLY_BENCH_N, default 20) of
# the multi-step replica job through the real engine and the real daemon (release
# build, pacing 0), against real PostgreSQL + PostgREST and headful Chromium on Xvfb.
# Prints per-phase medians and p95, the daemon's and Chromium's peak RSS, and the idle
# daemon's RSS, CPU and database transactions over 60 s; writes
# target/bench/bench.json.
# With --peers: `autoapply replay` against a Playwright script doing the same
# application (scripts/peer/apply.mjs, playwright-core from npm driving the same
# Chromium), alternated for AUTOAPPLY_BENCH_ROUNDS rounds (default 8) in one display;
# prints the medians of wall time, CPU seconds and peak RSS of both process trees and
# their ratios; writes target/bench/peers.json.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '==> %s\n' "$*"; }
source scripts/setup.sh
if [ "${1:-}" = --peers ]; then
  log "the Playwright peer (playwright-core from npm, into target/tools/peer)"
  mkdir -p target/tools/peer
  cp scripts/peer/package.json scripts/peer/apply.mjs target/tools/peer/
  (cd target/tools/peer && npm install --silent --no-audit --no-fund)
  log "autoapply replay against the Playwright peer (release build)"
  xvfb-run -a -s "-screen 0 1366x900x24" cargo test --release --locked --test integration -- --ignored --nocapture --test-threads 1 peers:: peer_tells::
  cat target/bench/peers.json target/bench/sensor.json
  exit 0
fi
log "benchmark (release build)"
xvfb-run -a -s "-screen 0 1366x900x24" cargo test --release --locked --test integration -- --ignored --nocapture --test-threads 1 bench::
cat target/bench/bench.json
