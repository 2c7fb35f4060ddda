#!/usr/bin/env bash
# Runs the README's demo command the way a newcomer does (no display: the demo
# starts its own Xvfb) and checks its summary: each demo application in its
# expected status, the screenshot files on disk, no browser or Xvfb left running;
# then once more from another directory, interrupted by Ctrl-C.
# Called at the end of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=target/demo-check
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! env -u DISPLAY RUST_LOG=warn bash scripts/demo.sh --dir "$dir" | tee "$out"; then
  echo "demo-check: the demo exited with an error" >&2
  exit 1
fi
fail() { echo "demo-check: $*" >&2; exit 1; }
expect() { grep -Eq "$1" "$out" || fail "no summary line matching: $1"; }
expect '^[0-9a-f-]{36}  1002 Senior Backend Engineer +submitted +- +yes '
expect '^[0-9a-f-]{36}  1018 Applied Scientist +submitted +- +yes '
expect '\(the same form found by roles, labels and button text; September 2026 markup: native <dialog>, generated ids, text-only buttons\)'
expect '^[0-9a-f-]{36}  1011 Mainframe Engineer +needs_user +unknown_questions +yes '
expect 'question for the user: How many years of experience do you have with COBOL\?'
expect '^[0-9a-f-]{36}  1003 Platform Engineer +skipped +already_applied +yes '
expect '^[0-9a-f-]{36}  1001 Rust Engineer +needs_user +session_expired +yes '
expect '^5 of 5 applications ended as expected .*; no browser process is left$'
# every screenshot the table names exists and is a PNG
shots=$(grep -Eo '/[^ ]+\.png' "$out" || true)
[ "$(wc -w <<<"$shots")" -ge 3 ] || fail "expected at least 3 screenshots in the table, got: $shots"
for f in $shots; do
  [ -f "$f" ] || fail "screenshot $f is missing"
  head -c 8 "$f" | od -An -tx1 | grep -q '89 50 4e 47' || fail "$f is not a PNG"
done
ls "$dir"/screenshots/*-step-*.png >/dev/null 2>&1 || fail "no step screenshots in $dir/screenshots"
# nothing left running: no browser of the demo, no Xvfb it started, no demo process
abs=$(cd "$dir" && pwd)
if pgrep -f -- "--user-data-dir=$abs" >/dev/null; then fail "browser processes left: $(pgrep -af -- "--user-data-dir=$abs")"; fi
if pgrep -f 'autoapply demo' >/dev/null; then fail "a demo process is left: $(pgrep -af 'autoapply demo')"; fi
if pgrep -x Xvfb -a | grep -q -- '-nolisten tcp$'; then fail "the demo's Xvfb is left: $(pgrep -ax Xvfb)"; fi
[ -z "$(ls -A "$dir/run/profiles")" ] || fail "profile directories left in $dir/run/profiles"

# Outside the repository (the selector file built into the binary), interrupted by
# Ctrl-C once the first application has ended: exit 130, the summary says so, the
# unfinished applications are back in the queue, nothing is left running.
repo=$(pwd)
away=$(mktemp -d)
trap 'rm -f "$out"; rm -rf "$away"' EXIT
(cd "$away" && exec env -u DISPLAY RUST_LOG=warn "$repo/target/debug/autoapply" demo --dir "$away/demo") >"$away/out" 2>&1 &
pid=$!
for _ in $(seq 600); do
  grep -Eq '^  ok  ' "$away/out" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
grep -Eq '^  ok  ' "$away/out" || { cat "$away/out" >&2; fail "the demo outside the repository ended no application"; }
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 130 ] || { cat "$away/out" >&2; fail "the interrupted demo exited $rc, not 130"; }
grep -Eq '^interrupted after [0-9]+ s: [1-4] of 5 applications had ended .*gave the others back to the queue; no browser process is left$' "$away/out" \
  || { cat "$away/out" >&2; fail "no 'interrupted' summary"; }
grep -Eq '^[0-9a-f-]{36}  [0-9]{4} .* queued +- ' "$away/out" || fail "no unfinished application shown back in the queue"
[ -f "$away/demo/selectors/linkedin.toml" ] || fail "the built-in selector file was not used"
if pgrep -f -- "--user-data-dir=$away" >/dev/null; then fail "browser processes left after Ctrl-C"; fi
if pgrep -f 'autoapply demo' >/dev/null; then fail "a demo process is left after Ctrl-C"; fi
if pgrep -x Xvfb -a | grep -q -- '-nolisten tcp$'; then fail "the demo's Xvfb is left after Ctrl-C"; fi
echo "demo-check: ok (a full run, and one outside the repository interrupted by Ctrl-C)"
