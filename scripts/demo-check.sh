#!/usr/bin/env bash
# Runs the README's demo command the way a newcomer does (no display: the demo
# starts its own Xvfb; nothing silenced: the output checked is the output a person
# sees) and checks it: no log record on the terminal (they go to the log file the
# demo names), each demo application in its expected status, the screenshot files
# on disk named by the form's steps, nothing it started left running (under
# scripts/outlives.py, a subreaper that lists what outlives the command: only this
# demo's processes are looked at, never every Xvfb or browser on the machine); then
# once more from another directory (the built-in selector file), interrupted by Ctrl-C.
# Called at the end of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=target/demo-check
out=$(mktemp)
report=$(mktemp)
trap 'rm -f "$out" "$report"' EXIT
if ! python3 scripts/outlives.py "$report" -- env -u DISPLAY -u RUST_LOG bash scripts/demo.sh --dir "$dir" 2>&1 | tee "$out"; then
  echo "demo-check: the demo exited with an error" >&2
  exit 1
fi
fail() { echo "demo-check: $*" >&2; exit 1; }
# what the command started and left behind (running, or dead and never collected)
outlived() {
  python3 -c 'import json, sys
left = json.load(open(sys.argv[1]))["left"]
print("; ".join("%s %s (%s): %s" % (p["pid"], p["name"], p["state"], p["cmdline"][:120]) for p in left))' "$1"
}
expect() { grep -Eq "$1" "$out" || fail "no summary line matching: $1"; }
# what a person reads: no log record (text or JSON), no line longer than the table's
records='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z +(TRACE|DEBUG|INFO|WARN|ERROR)|^\{"timestamp"| (INFO|WARN|ERROR) [a-z_]+::'
if grep -Eq "$records" "$out"; then fail "log records on the terminal: $(grep -E "$records" "$out" | head -3)"; fi
long=$(awk 'length > 240 && !/^[0-9a-f-]{36}  / && !/^ {30,}/' "$out" | head -3)
[ -z "$long" ] || fail "lines too long to read at a glance: $long"
expect '^selectors: \./selectors/linkedin\.toml '
expect '^  log       /.*/autoapply\.log \(every log record\)$'
log_file=$(sed -n 's/^  log       \(.*\) (every log record)$/\1/p' "$out")
grep -q 'application submitted' "$log_file" || fail "the log file $log_file does not hold the run's records"
expect '^  ok  1002 Senior Backend Engineer +submitted +-$'
expect '^  ok  1011 Mainframe Engineer +needs_user +unknown_questions$'
expect '^[0-9a-f-]{36}  1002 Senior Backend Engineer +submitted +- +yes '
expect '^[0-9a-f-]{36}  1018 Applied Scientist +submitted +- +yes '
expect '\(the same form found by roles, labels and button text; September 2026 markup: native <dialog>, generated ids, text-only buttons\)'
expect '^[0-9a-f-]{36}  1011 Mainframe Engineer +needs_user +unknown_questions +yes '
expect 'question for the user: How many years of experience do you have with COBOL\?'
expect '^[0-9a-f-]{36}  1003 Platform Engineer +skipped +already_applied +yes '
expect '^[0-9a-f-]{36}  1001 Rust Engineer +needs_user +session_expired +yes '
expect '^[0-9a-f-]{36}  1030 Machine Learning Engineer +submitted +- +yes '
expect '\(the application.s résumé, an opt-in left unticked, a receipt; October 2026 markup: server-driven dialog'
expect 'receipt: 14 answer\(s\), résumé resume-ada-lovelace\.pdf, follow company: no$'
expect 'sent: Which of these cloud platforms have you used\? Select all that apply\. -> AWS, GCP$'
expect 'sent: Stay in touch -> \(left unticked\)$'
expect 'sent: Country of residence -> United Kingdom$'
expect '^[0-9a-f-]{36}  1017 Backend Engineer +submitted +- +yes '
expect '\(an account in French: French buttons, questions and options; April 2026 markup: .*; page language: fr\)$'
expect 'receipt: 11 answer\(s\), résumé resume-claire-dubois\.pdf, follow company: no$'
expect 'sent: Quelle est la durée de votre préavis.*\? -> 30 jours$'
expect 'sent: Êtes-vous légalement autorisé\(e\) à travailler en Allemagne.*\? -> Oui$'
expect 'sent: Indicatif du pays -> Royaume-Uni \(\+44\)$'
# the answer loop: two applications stop on a question, the demo answers it from a
# file as `autoapply answer --file` does, both go again and are sent with it; the
# third that waits on it still waits on its other question
expect '^  ok  1047 Night Operations Engineer +needs_user +unknown_questions$'
expect '^  ok  1049 Support Engineer +needs_user +unknown_questions$'
expect '^  answer    autoapply answer --user-id [0-9a-f-]{36} --file /.*/answers\.json$'
expect '^            still waiting: [0-9a-f-]{36} on How many years of experience do you have with COBOL\?$'
expect '^            queued again: 2 application\(s\)$'
expect '^  ok  1047 Night Operations Engineer +submitted +-$'
expect '^[0-9a-f-]{36}  1049 Support Engineer +submitted +- +yes '
expect 'sent: Which shift do you prefer\? -> Night \(the user.s reply of [0-9T:-]+Z\)$'
if grep -q 'question for the user: Which shift do you prefer' "$out"; then fail "an answered question is still shown as the user's"; fi
# what the replica's sensor saw on every page: nothing, and BotD says a person
expect '^automation tells: none; BotD: human$'
expect '^9 of 9 applications ended as expected .*; no browser process is left$'
# every screenshot the table names exists and is a PNG
shots=$(grep -Eo '/[^ ]+\.png' "$out" || true)
[ "$(wc -w <<<"$shots")" -ge 3 ] || fail "expected at least 3 screenshots in the table, got: $shots"
for f in $shots; do
  [ -f "$f" ] || fail "screenshot $f is missing"
  head -c 8 "$f" | od -An -tx1 | grep -q '89 50 4e 47' || fail "$f is not a PNG"
done
# named by the form's steps: the job page, the four steps of 1002's form, its confirmation
submitted=$(grep -Eo '^[0-9a-f-]{36}  1002 ' "$out" | cut -d' ' -f1)
for shot in job-page step-1 step-2 step-3 step-4 confirmation; do
  [ -f "$dir/screenshots/$submitted-$shot.png" ] || fail "no $submitted-$shot.png in $dir/screenshots: $(ls "$dir/screenshots")"
done
[ ! -e "$dir/screenshots/$submitted-step-5.png" ] || fail "a fifth step screenshot for a four-step form"
# nothing left running that the demo started: no browser, no keeper, no Xvfb
left=$(outlived "$report")
[ -z "$left" ] || fail "processes the demo started outlived it: $left"
[ -z "$(ls -A "$dir/run/profiles")" ] || fail "profile directories left in $dir/run/profiles"

# Outside the repository (the selector file built into the binary), interrupted by
# Ctrl-C once the first application has ended: exit 130, the summary says so, the
# unfinished applications are back in the queue, nothing is left running.
repo=$(pwd)
away=$(mktemp -d)
trap 'rm -f "$out" "$report"; rm -rf "$away"' EXIT
(cd "$away" && exec python3 "$repo/scripts/outlives.py" "$away/report" -- env -u DISPLAY -u RUST_LOG "$repo/target/debug/autoapply" demo --dir "$away/demo") >"$away/out" 2>&1 &
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
grep -Eq '^interrupted after [0-9]+ s: [1-8] of 9 applications had ended .*gave the others back to the queue; no browser process is left$' "$away/out" \
  || { cat "$away/out" >&2; fail "no 'interrupted' summary"; }
grep -Eq '^[0-9a-f-]{36}  [0-9]{4} .* queued +- ' "$away/out" || fail "no unfinished application shown back in the queue"
grep -Eq '^selectors: linkedin\.toml \(built into autoapply\) ' "$away/out" || { cat "$away/out" >&2; fail "the built-in selector file was not used"; }
left=$(outlived "$away/report")
[ -z "$left" ] || fail "processes the demo started outlived it after Ctrl-C: $left"
echo "demo-check: ok (a full run, and one outside the repository interrupted by Ctrl-C)"
