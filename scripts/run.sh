#!/usr/bin/env bash
# Runs the service locally: installs pinned tools, starts Azurite on loopback, and runs the standalone host on
# http://127.0.0.1:7071 with the demo org, demo cases and an accelerated clock. Open http://127.0.0.1:7071/app/.
#   SUPERVISION_SPEED=86400   simulated seconds per real second (default: one simulated day per second; 1 = real time)
#   SUPERVISION_PERSIST=1     keep Azurite's data between runs (default: a fresh in-memory demo)
#   SUPERVISION_AZURITE_DIR=… where the persisted data lives (default .azurite/)
#   SUPERVISION_URLS=…        where to listen (default http://127.0.0.1:7071)
# Extra arguments go to the app, e.g. `scripts/run.sh --Supervision:Clock:Start=2025-09-10T01:00:00Z`.
#
# Stopping (Ctrl+C, SIGTERM to this script or to its process group) shuts down in order: the app first (SIGTERM, wait
# until it has exited), then Azurite (one SIGTERM, given time to write its disk store). Azurite runs in its own session,
# so a group signal never reaches it twice. Azurite's disk store flushes in batches: `kill -9` can lose its last
# seconds of writes. It is a development store.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_tools
ensure_ui
APP_PID=
shutdown() {
  trap - INT TERM EXIT
  if [ -n "$APP_PID" ] && kill -0 "$APP_PID" 2>/dev/null; then
    log "stopping Supervision"
    # `dotnet run` and the app it started: both get one SIGTERM; the app drains and exits.
    kill -TERM $(pgrep -P "$APP_PID" 2>/dev/null) "$APP_PID" 2>/dev/null || true
    wait "$APP_PID" 2>/dev/null || true
  fi
  stop_azurite
}
trap 'shutdown; exit 130' INT
trap 'shutdown; exit 143' TERM
trap shutdown EXIT

blob=10000 queue=10001 table=10002
if port_open $blob || port_open $queue || port_open $table; then
  blob=$(free_port) queue=$(free_port) table=$(free_port)
fi
start_azurite "$([ "${SUPERVISION_PERSIST:-0}" = 1 ] && echo disk || echo memory)" $blob $queue $table
export AzureWebJobsStorage="$AZURITE_CONNECTION_STRING"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
log "starting Supervision on ${SUPERVISION_URLS:-http://127.0.0.1:7071} (Ctrl+C to stop)"
dotnet run --project standalone/Supervision.Standalone -c Release -- \
  --Supervision:Urls="${SUPERVISION_URLS:-http://127.0.0.1:7071}" --Supervision:Demo=true \
  --Supervision:Clock:Speed="${SUPERVISION_SPEED:-86400}" \
  --Supervision:DurableTask:MaxQueuePollingInterval=00:00:00.5 "$@" &
APP_PID=$!
set +e
wait "$APP_PID"
status=$?
set -e
APP_PID=
exit $status
