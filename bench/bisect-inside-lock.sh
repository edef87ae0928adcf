#!/bin/sh
# Bisects the published Claude Code versions for the first one whose code names the refresh lock
# inside the config dir (`.oauth_refresh.lock`). A static probe (the string in cli.js or the
# native binary) picks the candidate fast; confirm it with `tokenrace matrix` (a behavioural
# probe: the lock watcher must see the lock) on the version found and the one before it.
#   sh bench/bisect-inside-lock.sh [GOOD_WITHOUT] [BAD_WITH]   (versions known to lack / have it)
set -eu
cd "$(dirname "$0")/.."
versions=$(npm view @anthropic-ai/claude-code versions --json | tr -d '[]", ' | grep -v '^$')
low=${1:-1.0.100}; high=${2:-2.1.197}
list=$(printf '%s\n' $versions | awk -v a="$low" -v b="$high" '$0==a{on=1} on{print} $0==b{exit}')
has_lock() {
  bin=$(node bin/tokenrace.js install-client "claude-code@$1" | tail -n 1)
  grep -c -a -F '.oauth_refresh.lock' "$bin" >/dev/null 2>&1
}
set -- $list
while [ $# -gt 2 ]; do
  mid=$(( ($# + 1) / 2 )); pick=$(eval echo "\${$mid}")
  if has_lock "$pick"; then
    echo "$pick: inside lock" >&2; list=$(printf '%s\n' "$@" | awk -v p="$pick" '{print} $0==p{exit}')
  else
    echo "$pick: no inside lock" >&2; list=$(printf '%s\n' "$@" | awk -v p="$pick" '$0==p{on=1} on{print}')
  fi
  set -- $list
done
echo "last without: $1"; echo "first with: $2"
