# Shared shell helpers for scripts/run.sh and scripts/test.sh. Source it; do not run it.
# Everything here installs what it needs itself: a fresh machine has only dotnet, node and apt.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AZURITE_JS="$ROOT/tools/node_modules/azurite/dist/src/azurite.js"

log() { printf '[supervision] %s\n' "$*" >&2; }

# Installs the pinned npm tools (Azurite) from tools/package-lock.json when missing or when the lock file's
# content changed since the last install (a content hash, not mtimes: checkouts touch mtimes).
ensure_tools() {
  local want have stamp="$ROOT/tools/node_modules/.supervision-lock.sha256"
  want=$(sha256sum "$ROOT/tools/package-lock.json" | cut -d' ' -f1)
  have=$(cat "$stamp" 2>/dev/null || true)
  if [ ! -f "$AZURITE_JS" ] || [ "$want" != "$have" ]; then
    log "installing pinned tools (npm ci in tools/)"
    (cd "$ROOT/tools" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$stamp"
  fi
}

# Installs the UI's pinned browser libraries (functions/Supervision.Api/ui/package-lock.json: Apache ECharts) and copies
# the dist files the pages load into wwwroot/vendor/ (git-ignored; shipped as content beside the binaries). Run before
# `dotnet build`, which picks wwwroot/** up as content (docs/decisions.md, U1).
ensure_ui() {
  local ui="$ROOT/functions/Supervision.Api/ui" vendor="$ROOT/functions/Supervision.Api/wwwroot/vendor"
  local want have stamp="$ui/node_modules/.supervision-lock.sha256"
  want=$(sha256sum "$ui/package-lock.json" | cut -d' ' -f1)
  have=$(cat "$stamp" 2>/dev/null || true)
  if [ ! -f "$ui/node_modules/echarts/dist/echarts.min.js" ] || [ "$want" != "$have" ]; then
    log "installing pinned UI libraries (npm ci in functions/Supervision.Api/ui/)"
    (cd "$ui" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$stamp"
  fi
  mkdir -p "$vendor"
  cp -u "$ui/node_modules/echarts/dist/echarts.min.js" "$vendor/echarts.min.js"
  cp -u "$ui/node_modules/echarts/LICENSE" "$vendor/echarts.LICENSE.txt"
}

# Installs Debian's Chromium (browser tests drive /usr/bin/chromium through Playwright; never `playwright install`)
# and a CJK font so Chinese renders in screenshots.
ensure_chromium() {
  if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; then return; fi
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  log "installing chromium and fonts-wqy-microhei (apt)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
}

# Prints a free loopback TCP port.
free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# Is something listening on 127.0.0.1:$1?
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_azurite MODE [BLOB QUEUE TABLE]
#   MODE=memory  in-memory (tests)    MODE=disk  persisted under $SUPERVISION_AZURITE_DIR (default .azurite/; the local service)
# Sets AZURITE_PID and AZURITE_CONNECTION_STRING. Always loopback, always --skipApiVersionCheck.
# Azurite runs in its own session (setsid): a signal to the caller's process group (Ctrl+C, `kill -- -PGID`) does not
# reach it, so it is stopped exactly once, by stop_azurite, after the app. Its disk store flushes in batches: a
# SIGKILL can lose the last seconds of writes (it is a development store).
start_azurite() {
  local mode="$1" blob="${2:-$(free_port)}" queue="${3:-$(free_port)}" table="${4:-$(free_port)}"
  local persist=(--inMemoryPersistence)
  if [ "$mode" = disk ]; then
    local dir="${SUPERVISION_AZURITE_DIR:-$ROOT/.azurite}"
    mkdir -p "$dir"
    persist=(--location "$dir")
  fi
  setsid node "$AZURITE_JS" --silent "${persist[@]}" --skipApiVersionCheck --loose --disableTelemetry \
    --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" \
    --tableHost 127.0.0.1 --tablePort "$table" >"$ROOT/.azurite.log" 2>&1 &
  AZURITE_PID=$!
  local i
  for i in $(seq 1 300); do
    if port_open "$table" && port_open "$queue" && port_open "$blob"; then break; fi
    if ! kill -0 "$AZURITE_PID" 2>/dev/null; then log "Azurite failed to start:"; cat "$ROOT/.azurite.log" >&2; return 1; fi
    sleep 0.2
  done
  port_open "$table" || { log "Azurite did not listen within 60 s"; return 1; }
  AZURITE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
  log "Azurite ($mode) on 127.0.0.1 blob:$blob queue:$queue table:$table (pid $AZURITE_PID)"
}

# One SIGTERM, then up to 60 s to save its disk store and exit; SIGKILL only if it hangs beyond that.
stop_azurite() {
  if [ -n "${AZURITE_PID:-}" ] && kill -0 "$AZURITE_PID" 2>/dev/null; then
    kill -TERM "$AZURITE_PID" 2>/dev/null || true
    local i
    for i in $(seq 1 600); do
      kill -0 "$AZURITE_PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$AZURITE_PID" 2>/dev/null; then
      log "Azurite did not stop within 60 s; killing it"
      kill -KILL "$AZURITE_PID" 2>/dev/null || true
    fi
    wait "$AZURITE_PID" 2>/dev/null || true
    log "Azurite stopped"
  fi
  AZURITE_PID=
}
