#!/usr/bin/env bash
# The README's first command: installs what the demo needs on a fresh Debian machine
# (Chromium, Xvfb, fonts; Rust must be installed), builds autoapply and runs
# `autoapply demo`: the bundled LinkedIn replica, an embedded SQLite store, demo
# users and applications, the real worker loop in a visible Chromium (on a private
# Xvfb when there is no display) and a summary table. Extra arguments go to the demo
# (e.g. --dir DIR, --pacing 0.3). Exit 0 when every application ended as expected.
set -euo pipefail
cd "$(dirname "$0")/.."

SETUP_FOR=demo source scripts/setup.sh

log "cargo build"
cargo build --locked --bin autoapply
log "autoapply demo"
exec target/debug/autoapply demo "$@"
