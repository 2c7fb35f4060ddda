#!/usr/bin/env bash
# The soak: 200 applications back to back through the real `autoapply run` against
# real PostgreSQL + PostgREST, the LinkedIn replica and headful Chromium on Xvfb — a
# mix of successes, unknown questions, already-applied jobs, validation errors and
# browsers killed mid-application. Checks statuses, exactly-once submissions, no
# browser or profile left, file descriptors back to the start and RSS growth under
# 5 MiB; prints the figures and writes target/soak/soak.json. About ten minutes.
#
# By default it runs the test build scripts/test.sh has just compiled (dependencies
# optimised, our code not): what it checks (exactly once, no leftovers, descriptors,
# RSS growth) does not depend on the optimisation level, and CI is spared a second
# full compile. `bash scripts/soak.sh --release` runs it on the release build, as in
# production, for the README's figures.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/setup.sh

profile=()
if [ "${1:-}" = --release ]; then
  profile=(--release)
fi
log "soak: 200 applications (tests/integration/soak.rs${profile:+, release build})"
xvfb-run -a -s "-screen 0 1366x900x24" \
  cargo test "${profile[@]}" --locked --test integration -- --ignored --exact --nocapture soak::soak_two_hundred_applications
