#!/usr/bin/env bash
# Commit messages, from the first commit that follows the rule on (issue 27): a
# subject of at most 72 characters, in the imperative (not checked: a person's
# judgement), a blank line, then a body that says why. `scripts/test.sh` runs this;
# `.githooks/commit-msg` checks a message before it is written
# (`git config core.hooksPath .githooks`).
set -euo pipefail
cd "$(dirname "$0")/.."

# the first commit written under the rule
first=bff431d
if ! git rev-parse --quiet --verify "$first^{commit}" >/dev/null; then
  echo "commit messages: $first is not in this clone (shallow?): not checked"
  exit 0
fi
bad=0
for commit in $(git rev-list "$first^..HEAD"); do
  if ! git log -1 --format=%B "$commit" | bash .githooks/commit-msg /dev/stdin >/dev/null 2>/tmp/commit-msg.$$; then
    echo "commit $(git log -1 --format='%h %s' "$commit"): $(cat /tmp/commit-msg.$$)"
    bad=1
  fi
done
rm -f /tmp/commit-msg.$$
if [ "$bad" = 0 ]; then
  echo "commit messages: $(git rev-list --count "$first^..HEAD") checked, all follow the rule"
fi
exit "$bad"
