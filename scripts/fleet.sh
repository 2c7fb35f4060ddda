#!/usr/bin/env bash
# The fleet under faults: three `autoapply run` workers against real PostgreSQL +
# PostgREST, the LinkedIn replica and headful Chromium on Xvfb, 48 applications of 12
# users, with kill -9 of workers, workers frozen past their lease, Chromium killed and
# PostgREST restarted for two and a half minutes (tests/integration/fleet.rs). Checks
# exactly-once, final statuses, attempts spent only by faults that hit a run, one
# running browser per user, zombies collected, nothing left; prints the figures and
# writes target/fleet/fleet.json. About five minutes.
#
# `bash scripts/fleet.sh 3` runs it three times in a row (each with its own seed);
# AUTOAPPLY_FLEET_SEED=<n> replays one run's faults.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/setup.sh

runs="${1:-1}"
for run in $(seq 1 "$runs"); do
  log "fleet under faults: run $run of $runs (tests/integration/fleet.rs)"
  xvfb-run -a -s "-screen 0 1366x900x24" \
    cargo test --locked --test integration -- --ignored --exact --nocapture \
    fleet::three_workers_under_kills_freezes_and_store_restarts_apply_each_job_once
done
