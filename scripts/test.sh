#!/usr/bin/env bash
# The whole test suite: types and lint, unit, integration (SQLite and PostgreSQL), migrations, then
# the browser end-to-end layer against a production build. Installs what it needs and starts PostgreSQL if it
# is not running. Ends with one line: "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 # air-gapped machines must not try to phone home

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "Starting PostgreSQL…"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if [ ! -x node_modules/.bin/vitest ]; then npm ci; fi

rm -rf reports && mkdir -p reports
status=0
echo "Type-checking and linting…"
static_failures=""
# Side by side (each keeps about one core busy); the type-checker's findings are printed after lint's.
npm run --silent typecheck > reports/typecheck.log 2>&1 &
typecheck=$!
trap 'kill "$typecheck" 2>/dev/null' EXIT # a run stopped during lint stops the type-checker too
npm run --silent lint || { status=1; static_failures+=" lint"; }
wait "$typecheck" || { status=1; static_failures+=" typecheck"; }
trap - EXIT
cat reports/typecheck.log
npx vitest run --reporter=default --reporter=json --outputFile.json=reports/vitest.json || status=$?

if [ -d e2e ] && ls e2e/*.spec.ts >/dev/null 2>&1; then
  if ! command -v chromium >/dev/null 2>&1; then
    echo "Installing Debian's Chromium for the browser tests…"
    apt-get update -qq && apt-get install -y -qq chromium
  fi
  # Type-checked above, with the route types Next generates (npm run typecheck): the build needn't
  # again — unless that failed, so that no build made despite type errors is left for npm start.
  if [[ $static_failures == *typecheck* ]]; then npx next build; else MCP_CONSOLE_TYPES_CHECKED=1 npx next build; fi
  npx playwright test || status=$?
fi

STATIC_FAILURES="$static_failures" node scripts/test-summary.mjs
exit $status
