#!/usr/bin/env bash
# Runs the service locally: installs pinned tools, starts Azurite (persisted under .azurite/) on loopback,
# and runs the handler standalone on http://127.0.0.1:7071 with demo data. Extra arguments go to the app,
# e.g. `scripts/run.sh --Supervision:Clock:Speed=86400` for one simulated day per second.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_tools
trap stop_azurite EXIT
blob=10000 queue=10001 table=10002
if port_open $blob || port_open $queue || port_open $table; then
  blob=$(free_port) queue=$(free_port) table=$(free_port)
fi
start_azurite disk $blob $queue $table
export AzureWebJobsStorage="$AZURITE_CONNECTION_STRING"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
log "starting Supervision on ${SUPERVISION_URLS:-http://127.0.0.1:7071} (Ctrl+C to stop)"
dotnet run --project functions/Supervision.Functions -c Release -- --Supervision:Urls="${SUPERVISION_URLS:-http://127.0.0.1:7071}" --Supervision:Demo=true "$@"
