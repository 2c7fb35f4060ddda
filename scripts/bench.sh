#!/usr/bin/env bash
# The benchmark: N applications (AUTOAPPLY_BENCH_N, default 20) of the multi-step
# replica job through the real engine and the real daemon (release build, pacing 0),
# against real PostgreSQL + PostgREST and headful Chromium on Xvfb. Prints per-phase
# medians and p95, the daemon's and Chromium's peak RSS, and the idle daemon's RSS,
# CPU and database transactions over 60 s; writes target/bench/bench.json.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '==> %s\n' "$*"; }
source scripts/setup.sh
log "benchmark (release build)"
xvfb-run -a -s "-screen 0 1366x900x24" cargo test --release --locked --test integration -- --ignored --nocapture --test-threads 1 bench::
cat target/bench/bench.json
