#!/usr/bin/env bash
# The soak: 200 applications back to back through the real `autoapply run` against
# real PostgreSQL + PostgREST, the LinkedIn replica and headful Chromium on Xvfb — a
# mix of successes, unknown questions, already-applied jobs, validation errors and
# browsers killed mid-application. Checks statuses, exactly-once submissions, no
# browser or profile left, file descriptors back to the start and RSS growth under
# 5 MiB; prints the figures and writes target/soak/soak.json. Release build, as in
# production; about ten minutes plus the build.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/setup.sh

log "soak: 200 applications (tests/integration/soak.rs)"
xvfb-run -a -s "-screen 0 1366x900x24" \
  cargo test --release --locked --test integration -- --ignored --exact --nocapture soak::soak_two_hundred_applications
