#!/usr/bin/env bash
# The README's quick start as a newcomer types it: `npm install`, `npm start`, `npm test`, without
# CI=true and without any install-related environment variable, timing each. It fails when a
# command fails, when `npm install` rewrites the committed package-lock.json, when `npm start` does
# not serve the UI, or when a test was skipped (the tools the tests need are installed first:
# .ci/run does it, or `npm test` itself as root on Debian).
#   bash test/setup/newcomer.sh          in a fresh clone of HEAD, in a temporary folder
#   bash test/setup/newcomer.sh --here   in this checkout as it is (CI's own fresh clone)
set -uo pipefail
unset CI ELECTRON_SKIP_BINARY_DOWNLOAD ELECTRON_MIRROR ELECTRON_OVERRIDE_DIST_PATH npm_config_ignore_scripts npm_config_omit NODE_ENV
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${1:-}" = --here ]; then
  work=$root
else
  work=$(mktemp -d /tmp/newcomer.XXXXXX)/dive-workbench
  git clone --quiet "$root" "$work" || exit 1
  echo "newcomer: fresh clone of $(git -C "$work" rev-parse --short HEAD) in $work"
fi
cd "$work" || exit 1
fail() { echo "newcomer: $*"; exit 1; }

SECONDS=0
npm install </dev/null || fail "npm install FAILED after ${SECONDS}s"
echo "newcomer: npm install passed in ${SECONDS}s"
git diff --quiet -- package-lock.json || fail "npm install changed package-lock.json: commit the lockfile npm install writes"

# npm start: the web mode where Electron's binary or a display is missing (CI: both). Its address is
# on stdout; the page must load. A database of its own, so a run by hand leaves the user's alone.
SECONDS=0
log=$(mktemp)
DIVE_DB=$(mktemp -d)/start.sqlite setsid npm start </dev/null >"$log" 2>&1 &
pid=$!
url=
for _ in $(seq 240); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$log" | head -1)
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
page=$( [ -n "$url" ] && node -e 'fetch(process.argv[1]).then((r) => r.text()).then((t) => process.stdout.write(t), () => {})' "$url" )
kill -TERM -- "-$pid" 2>/dev/null; wait "$pid" 2>/dev/null
[ -n "$url" ] || { cat "$log"; fail "npm start printed no address in 120 s"; }
echo "$page" | grep -qi '<!doctype html>' || { cat "$log"; fail "npm start's address $url served no page"; }
echo "newcomer: npm start served the UI at $url in ${SECONDS}s; it said:"
sed 's/^/  /' "$log" | grep -v '^  $' | head -8

SECONDS=0
out=$(mktemp)
npm test </dev/null 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] || fail "npm test FAILED after ${SECONDS}s"
# node's test runner closes with "# skipped N" (TAP) or "ℹ skipped N" (on a terminal)
skipped=$(grep -E '^(# |ℹ )(skipped|todo) ' "$out" | awk '{ s += $3 } END { print s + 0 }')
[ "$skipped" -eq 0 ] || fail "npm test skipped or left to do $skipped tests: every test must run"
echo "newcomer: npm test passed in ${SECONDS}s, none skipped"
