#!/usr/bin/env bash
# Runs every test: installs pinned tools, starts a private in-memory Azurite on free loopback ports,
# builds in Release, runs all test projects against it, stops Azurite, prints one summary line.
# Set SUPERVISION_TEST_STORAGE to a connection string to test against an existing account instead.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_tools
ensure_ui
ensure_chromium
trap stop_azurite EXIT
if [ -z "${SUPERVISION_TEST_STORAGE:-}" ]; then
  start_azurite memory
  export SUPERVISION_TEST_STORAGE="$AZURITE_CONNECTION_STRING"
fi

log "restore + build (Release)"
dotnet build Supervision.sln -c Release -nologo -clp:ErrorsOnly

results="$ROOT/.artifacts/test-results"
rm -rf "$results"
# One test project at a time: the end-to-end projects run real hosts and Durable Task on one Azurite with accelerated
# legal clocks, and on a 2-core box running them side by side only makes every engine round trip slower.
status=0
for project in $(dotnet sln Supervision.sln list | grep -E '^tests/.*\.Tests\.csproj$'); do
  log "dotnet test $project"
  dotnet test "$project" -c Release --no-build -nologo --logger "trx" --results-directory "$results" || status=$?
done

# Formatting is part of the build's hygiene (STYLE.md): the tree must already be formatted.
log "dotnet format --verify-no-changes"
if ! dotnet format Supervision.sln --verify-no-changes --no-restore; then
  log "formatting differs: run 'dotnet format Supervision.sln' and commit"
  status=1
fi

stop_azurite

# One closing line for the whole run (printed last), summed over every project's TRX file.
node - "$results" <<'JS'
const fs = require("fs"), path = require("path");
const dir = process.argv[2];
let passed = 0, failed = 0, skipped = 0;
for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
  if (!f.endsWith(".trx")) continue;
  const trx = fs.readFileSync(path.join(dir, f), "utf8");
  const m = trx.match(/<Counters [^>]*/);
  if (!m) continue;
  const c = Object.fromEntries([...m[0].matchAll(/(\w+)="(\d+)"/g)].map(x => [x[1], +x[2]]));
  // The TRX logger counts a skipped test in neither counter; its result says outcome="NotExecuted".
  passed += c.passed || 0; failed += (c.failed || 0) + (c.error || 0) + (c.timeout || 0);
  skipped += (trx.match(/<UnitTestResult [^>]*outcome="NotExecuted"/g) || []).length;
}
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
JS

exit $status
