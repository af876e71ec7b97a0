#!/usr/bin/env bash
# Builds the Azure Functions deployment package of the isolated-worker app (Flex Consumption, dotnet-isolated 10.0):
#   1. publishes functions/Supervision.Functions framework-dependent for linux-x64 (the runtime provides .NET 10);
#      the Functions SDK puts host.json (copied from the repository root), functions.metadata, worker.config.json,
#      extensions.json and the host-side extensions (.azurefunctions/) in the publish output;
#   2. checks those files are there and that host.json is the repository's;
#   3. zips the output to .artifacts/functionapp.zip (host.json at the zip root, as Functions requires).
# Deploy the zip with `az functionapp deploy` or `azd deploy --from-package` (docs/deploy.md).
#
# Options: --publish-dir DIR  take an existing publish output instead of publishing
#          --out DIR          output folder instead of .artifacts
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

out="$ROOT/.artifacts"
publish_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --publish-dir) publish_dir="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) log "unknown option $1 (use --publish-dir DIR, --out DIR)"; exit 2 ;;
  esac
done

if [ -z "$publish_dir" ]; then
  publish_dir="$out/publish"
  rm -rf "$publish_dir"
  # Restoring for linux-x64 adds a "net10.0/linux-x64" section to every packages.lock.json in the graph. The versions
  # stay those the lock files pin; the committed lock files (RID-less, used by CI's locked restore) are put back after.
  locks="$(mktemp -d)"
  git ls-files -z '*packages.lock.json' | xargs -0 -I{} cp --parents {} "$locks"/
  trap 'cp -R "$locks"/. "$ROOT"/; rm -rf "$locks"' EXIT
  log "dotnet publish (Release, linux-x64, framework-dependent)"
  dotnet publish functions/Supervision.Functions/Supervision.Functions.csproj -c Release -r linux-x64 --self-contained false \
    -p:RestoreLockedMode=false -p:GenerateDocumentationFile=false -nologo -clp:ErrorsOnly -o "$publish_dir"
fi

for f in host.json functions.metadata worker.config.json extensions.json Supervision.Functions.dll .azurefunctions wwwroot/app/index.html; do
  [ -e "$publish_dir/$f" ] || { log "$publish_dir/$f missing: not a Functions isolated-worker publish output"; exit 1; }
done
cmp -s "$ROOT/host.json" "$publish_dir/host.json" || { log "$publish_dir/host.json differs from the repository's host.json"; exit 1; }

rm -f "$out/functionapp.zip"
mkdir -p "$out"
(cd "$publish_dir" && zip -qr -X "$out/functionapp.zip" . -x '*.pdb' -x 'local.settings*.json')
functions="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).length)' "$publish_dir/functions.metadata")"
log "package: $out/functionapp.zip ($functions functions, $(du -h "$out/functionapp.zip" | cut -f1))"
