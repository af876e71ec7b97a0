#!/usr/bin/env bash
# Builds the Azure Functions deployment package of the custom handler:
#   1. publishes functions/Supervision.Functions self-contained for linux-x64 (no `dotnet` needed on the worker),
#   2. lays out the app root in .artifacts/functionapp/: host.json, one folder per function with its function.json
#      (functions/*/function.json), and the publish output with the executable host.json names
#      (customHandler.description.defaultExecutablePath) at the root,
#   3. zips it to .artifacts/functionapp.zip (host.json at the zip root, as Functions requires).
# Deploy the zip with `az functionapp deployment source config-zip` or `azd deploy` (docs/deploy.md).
#
# Options: --publish-dir DIR  take an existing publish output instead of publishing (tests use this; no publish)
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

exe="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).customHandler.description.defaultExecutablePath)' "$ROOT/host.json")"

if [ -z "$publish_dir" ]; then
  publish_dir="$out/publish"
  rm -rf "$publish_dir"
  # Restoring for linux-x64 adds a "net10.0/linux-x64" section to every packages.lock.json in the graph. The versions
  # stay those the lock files pin; the committed lock files (RID-less, used by CI's locked restore) are put back after.
  locks="$(mktemp -d)"
  git ls-files -z '*packages.lock.json' | xargs -0 -I{} cp --parents {} "$locks"/
  trap 'cp -R "$locks"/. "$ROOT"/; rm -rf "$locks"' EXIT
  log "dotnet publish (Release, linux-x64, self-contained)"
  dotnet publish functions/Supervision.Functions/Supervision.Functions.csproj -c Release -r linux-x64 --self-contained true \
    -p:RestoreLockedMode=false -p:PublishSingleFile=false -p:GenerateDocumentationFile=false -nologo -clp:ErrorsOnly -o "$publish_dir"
fi
[ -f "$publish_dir/$exe" ] || { log "$publish_dir/$exe missing: host.json defaultExecutablePath must name the handler executable"; exit 1; }

app="$out/functionapp"
rm -rf "$app" "$out/functionapp.zip"
mkdir -p "$app"
cp -R "$publish_dir"/. "$app"/
rm -f "$app"/*.pdb "$app"/local.settings*.json
cp "$ROOT/host.json" "$app/host.json"
functions=()
for f in "$ROOT"/functions/*/function.json; do
  name="$(basename "$(dirname "$f")")"
  mkdir -p "$app/$name"
  cp "$f" "$app/$name/function.json"
  functions+=("$name")
done
chmod +x "$app/$exe"

(cd "$app" && zip -qr -X "$out/functionapp.zip" .)
log "package: $out/functionapp.zip (functions: ${functions[*]}; executable: $exe)"
