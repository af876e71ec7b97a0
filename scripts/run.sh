#!/usr/bin/env bash
# Runs the service locally: installs pinned tools, starts Azurite on loopback, and runs the handler standalone on
# http://127.0.0.1:7071 with the demo org, demo cases and an accelerated clock. Open http://127.0.0.1:7071/app/.
#   SUPERVISION_SPEED=86400   simulated seconds per real second (default: one simulated day per second; 1 = real time)
#   SUPERVISION_PERSIST=1     keep Azurite's data under .azurite/ between runs (default: a fresh in-memory demo)
#   SUPERVISION_URLS=…        where to listen (default http://127.0.0.1:7071)
# Extra arguments go to the app, e.g. `scripts/run.sh --Supervision:Runtime:SweepInterval=00:00:02`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_tools
ensure_ui
trap stop_azurite EXIT
blob=10000 queue=10001 table=10002
if port_open $blob || port_open $queue || port_open $table; then
  blob=$(free_port) queue=$(free_port) table=$(free_port)
fi
start_azurite "$([ "${SUPERVISION_PERSIST:-0}" = 1 ] && echo disk || echo memory)" $blob $queue $table
export AzureWebJobsStorage="$AZURITE_CONNECTION_STRING"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
log "starting Supervision on ${SUPERVISION_URLS:-http://127.0.0.1:7071} (Ctrl+C to stop)"
dotnet run --project standalone/Supervision.Standalone -c Release -- --Supervision:Urls="${SUPERVISION_URLS:-http://127.0.0.1:7071}" --Supervision:Demo=true --Supervision:Clock:Speed="${SUPERVISION_SPEED:-86400}" "$@"
