#!/usr/bin/env bash
# Microsoft Graph alerts, the parts Bicep cannot do (docs/deploy.md "Microsoft Graph alerts"):
#   1. find the app's user-assigned managed identity (or take its ids as arguments);
#   2. grant its service principal the Microsoft Graph application permissions Mail.Send and TeamsActivity.Send
#      (POST /servicePrincipals/{graph}/appRoleAssignedTo; skipped when already granted);
#   3. optionally add a federated credential to a user-assigned identity (e.g. a GitHub Actions deployment identity);
#   4. write the Teams app package (manifest + icons, zip) whose webApplicationInfo.id is the identity's client id;
#   5. print what must be done by hand (Exchange scoping of Mail.Send, uploading and installing the Teams app).
# Needs the Azure CLI signed in as someone who may grant app roles (Privileged Role Administrator, Cloud Application
# Administrator or Application Administrator), except with --dry-run, which only prints the az commands (and still
# writes the Teams app package, a local file).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GRAPH_APP_ID=00000003-0000-0000-c000-000000000000
ROLES=(Mail.Send TeamsActivity.Send)

usage() {
  cat <<'USAGE'
Usage: scripts/register-teams-app.sh [options]

Identity (one of):
  -g, --resource-group RG         resource group of the deployment (with --identity-name)
      --identity-name NAME        user-assigned identity of the function app (output AZURE_MANAGED_IDENTITY_NAME)
      --principal-id ID           its service principal object id (AZURE_MANAGED_IDENTITY_PRINCIPAL_ID) and
      --client-id ID              its client (app) id (AZURE_MANAGED_IDENTITY_CLIENT_ID)
Teams app:
      --public-app-url URL        base URL of the app (AZURE_FUNCTION_APP_URL or graphPublicAppUrl); required
                                  unless --function-app is given
      --function-app NAME         read https://<default host name> of this function app (with -g)
      --teams-app-id GUID         Teams app id (manifest "id"); default: the identity's client id
      --app-version X.Y.Z         manifest version (raise it to update an uploaded app); default 1.0.0
      --out DIR                   where the package goes; default .artifacts/teams-app
Graph:
      --graph-url URL             Microsoft Graph host; default https://graph.microsoft.com
                                  (https://microsoftgraph.chinacloudapi.cn for Azure operated by 21Vianet)
      --skip-mail-send            do not grant Mail.Send in Entra (when Exchange RBAC for Applications scopes it)
      --skip-roles                do not grant any app role (package the Teams app only)
Federated credential (optional, e.g. for a GitHub Actions deployment identity):
      --federated-identity NAME   user-assigned identity (in -g) to trust an external token issuer
      --federated-subject SUBJECT e.g. repo:contoso/supervision:environment:prod
      --federated-issuer URL      default https://token.actions.githubusercontent.com
      --federated-name NAME       credential name; default github
Other:
      --dry-run                   print the az commands instead of running them (az not needed)
  -h, --help                      this text

Example:
  scripts/register-teams-app.sh -g rg-supervision-dev --identity-name id-dev-abc123 \
    --public-app-url https://func-dev-abc123.azurewebsites.net
USAGE
}

die() {
  printf 'register-teams-app: %s\n' "$*" >&2
  exit 2
}
log() { printf '[register-teams-app] %s\n' "$*" >&2; }

RG="" IDENTITY_NAME="" PRINCIPAL_ID="" CLIENT_ID="" PUBLIC_APP_URL="" FUNCTION_APP="" TEAMS_APP_ID=""
APP_VERSION="1.0.0" OUT="$ROOT/.artifacts/teams-app" GRAPH_URL="https://graph.microsoft.com"
SKIP_MAIL_SEND=false SKIP_ROLES=false DRY_RUN=false
FED_IDENTITY="" FED_SUBJECT="" FED_ISSUER="https://token.actions.githubusercontent.com" FED_NAME="github"

need_value() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value (see --help)"; }
while [ $# -gt 0 ]; do
  case "$1" in
  -g | --resource-group) need_value "$@"; RG="$2"; shift 2 ;;
  --identity-name) need_value "$@"; IDENTITY_NAME="$2"; shift 2 ;;
  --principal-id) need_value "$@"; PRINCIPAL_ID="$2"; shift 2 ;;
  --client-id) need_value "$@"; CLIENT_ID="$2"; shift 2 ;;
  --public-app-url) need_value "$@"; PUBLIC_APP_URL="$2"; shift 2 ;;
  --function-app) need_value "$@"; FUNCTION_APP="$2"; shift 2 ;;
  --teams-app-id) need_value "$@"; TEAMS_APP_ID="$2"; shift 2 ;;
  --app-version) need_value "$@"; APP_VERSION="$2"; shift 2 ;;
  --out) need_value "$@"; OUT="$2"; shift 2 ;;
  --graph-url) need_value "$@"; GRAPH_URL="${2%/}"; shift 2 ;;
  --skip-mail-send) SKIP_MAIL_SEND=true; shift ;;
  --skip-roles) SKIP_ROLES=true; shift ;;
  --federated-identity) need_value "$@"; FED_IDENTITY="$2"; shift 2 ;;
  --federated-subject) need_value "$@"; FED_SUBJECT="$2"; shift 2 ;;
  --federated-issuer) need_value "$@"; FED_ISSUER="$2"; shift 2 ;;
  --federated-name) need_value "$@"; FED_NAME="$2"; shift 2 ;;
  --dry-run) DRY_RUN=true; shift ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; die "unknown argument: $1" ;;
  esac
done

GUID_RE='^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
is_guid() { [[ "$1" =~ $GUID_RE ]]; }

# Prints a command as a copy-pastable shell line (arguments with shell characters in single quotes).
show() {
  local out="" a
  for a in "$@"; do
    if [[ "$a" =~ ^[A-Za-z0-9_./:=@,+%-]+$ ]]; then out+="$a "; else out+="'${a//\'/\'\\\'\'}' "; fi
  done
  printf '+ %s\n' "${out% }"
}

# Runs a command that changes something (only printed with --dry-run).
run() {
  show "$@"
  if ! $DRY_RUN; then "$@"; fi
}

# Runs a read-only az query and prints its value; with --dry-run prints the command to stderr and the placeholder.
query() {
  local placeholder="$1"
  shift
  if $DRY_RUN; then
    show "$@" >&2
    printf '%s\n' "$placeholder"
  else
    "$@"
  fi
}

if ! $DRY_RUN; then
  command -v az >/dev/null || die "the Azure CLI (az) is not installed; use --dry-run to see the commands"
fi

# --- 1. the identity -------------------------------------------------------------------------------------------
if [ -z "$PRINCIPAL_ID" ] || [ -z "$CLIENT_ID" ]; then
  [ -n "$RG" ] && [ -n "$IDENTITY_NAME" ] ||
    die "give --principal-id and --client-id, or -g RG --identity-name NAME (see --help)"
  [ -n "$PRINCIPAL_ID" ] || PRINCIPAL_ID=$(query "<principalId-of-$IDENTITY_NAME>" \
    az identity show -g "$RG" -n "$IDENTITY_NAME" --query principalId -o tsv)
  [ -n "$CLIENT_ID" ] || CLIENT_ID=$(query "<clientId-of-$IDENTITY_NAME>" \
    az identity show -g "$RG" -n "$IDENTITY_NAME" --query clientId -o tsv)
fi
if ! $DRY_RUN; then
  is_guid "$PRINCIPAL_ID" || die "principal id '$PRINCIPAL_ID' is not a GUID"
  is_guid "$CLIENT_ID" || die "client id '$CLIENT_ID' is not a GUID"
fi

if [ -z "$PUBLIC_APP_URL" ]; then
  [ -n "$FUNCTION_APP" ] && [ -n "$RG" ] || die "give --public-app-url, or -g RG --function-app NAME"
  PUBLIC_APP_URL="https://$(query "$FUNCTION_APP.azurewebsites.net" \
    az functionapp show -g "$RG" -n "$FUNCTION_APP" --query defaultHostName -o tsv)"
fi
PUBLIC_APP_URL="${PUBLIC_APP_URL%/}"
[[ "$PUBLIC_APP_URL" =~ ^https://([A-Za-z0-9.-]+)(:[0-9]+)?(/[A-Za-z0-9._~/-]*)?$ ]] ||
  die "--public-app-url must be https://host[/path] (Teams requires https), got '$PUBLIC_APP_URL'"
PUBLIC_APP_HOST="${BASH_REMATCH[1]}"
if [ -n "$TEAMS_APP_ID" ]; then is_guid "$TEAMS_APP_ID" || die "--teams-app-id must be a GUID"; else TEAMS_APP_ID="$CLIENT_ID"; fi
[[ "$APP_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "--app-version must be X.Y.Z"

# --- 2. Graph application permissions for the identity ---------------------------------------------------------
if ! $SKIP_ROLES; then
  GRAPH_SP_ID=$(query "<graph-sp-id>" \
    az ad sp show --id "$GRAPH_APP_ID" --query id -o tsv)
  for role in "${ROLES[@]}"; do
    if [ "$role" = Mail.Send ] && $SKIP_MAIL_SEND; then
      log "Mail.Send: not granted in Entra (--skip-mail-send); scope it with Exchange RBAC for Applications (below)."
      continue
    fi
    ROLE_ID=$(query "<$role-role-id>" \
      az ad sp show --id "$GRAPH_APP_ID" \
      --query "appRoles[?value=='$role' && contains(allowedMemberTypes, 'Application')].id | [0]" -o tsv)
    $DRY_RUN || is_guid "$ROLE_ID" || die "Microsoft Graph has no application role $role in this cloud"
    EXISTING=$(query "" \
      az rest --method get --url "$GRAPH_URL/v1.0/servicePrincipals/$PRINCIPAL_ID/appRoleAssignments" \
      --query "value[?appRoleId=='$ROLE_ID'].id | [0]" -o tsv)
    if [ -n "$EXISTING" ]; then
      log "$role: already granted to $PRINCIPAL_ID."
      continue
    fi
    log "$role: granting to the identity's service principal $PRINCIPAL_ID."
    run az rest --method post --url "$GRAPH_URL/v1.0/servicePrincipals/$GRAPH_SP_ID/appRoleAssignedTo" \
      --headers Content-Type=application/json \
      --body "{\"principalId\":\"$PRINCIPAL_ID\",\"resourceId\":\"$GRAPH_SP_ID\",\"appRoleId\":\"$ROLE_ID\"}"
  done
fi

# --- 3. optional federated credential (create-or-update: safe to repeat) ---------------------------------------
if [ -n "$FED_IDENTITY" ]; then
  [ -n "$RG" ] && [ -n "$FED_SUBJECT" ] || die "--federated-identity needs -g RG and --federated-subject"
  run az identity federated-credential create --name "$FED_NAME" --identity-name "$FED_IDENTITY" \
    --resource-group "$RG" --issuer "$FED_ISSUER" --subject "$FED_SUBJECT" --audiences api://AzureADTokenExchange
fi

# --- 4. the Teams app package -----------------------------------------------------------------------------------
mkdir -p "$OUT"
MANIFEST="$OUT/manifest.json"
sed -e "s|{{APP_VERSION}}|$APP_VERSION|g" \
  -e "s|{{TEAMS_APP_ID}}|$TEAMS_APP_ID|g" \
  -e "s|{{APP_CLIENT_ID}}|$CLIENT_ID|g" \
  -e "s|{{PUBLIC_APP_URL}}|$PUBLIC_APP_URL|g" \
  -e "s|{{PUBLIC_APP_HOST}}|$PUBLIC_APP_HOST|g" \
  "$ROOT/infra-teams/manifest.template.json" >"$MANIFEST"
cp "$ROOT/infra-teams/color.png" "$ROOT/infra-teams/outline.png" "$OUT/"
if grep -q '{{' "$MANIFEST"; then die "unreplaced placeholder in $MANIFEST"; fi
PACKAGE="$OUT/supervision-teams-app.zip"
rm -f "$PACKAGE"
if command -v zip >/dev/null; then
  (cd "$OUT" && zip -q -X "$(basename "$PACKAGE")" manifest.json color.png outline.png)
elif command -v python3 >/dev/null; then
  (cd "$OUT" && python3 -m zipfile -c "$(basename "$PACKAGE")" manifest.json color.png outline.png)
else
  log "neither zip nor python3 found: zip manifest.json, color.png and outline.png (at the root) yourself."
  PACKAGE="(not packaged)"
fi
echo "Teams app manifest: $MANIFEST"
echo "Teams app package:  $PACKAGE"

# --- 5. by hand -------------------------------------------------------------------------------------------------
cat <<EOF

Still to do by hand (no az command exists for these):

1. Restrict Mail.Send to the alert mailbox (Exchange Online PowerShell, Connect-ExchangeOnline), either
   a) an application access policy on top of the Entra grant above (the sender must be in the mail-enabled
      security group):
        New-ApplicationAccessPolicy -AppId $CLIENT_ID -PolicyScopeGroupId <alerts-senders@contoso.example> -AccessRight RestrictAccess -Description "Supervision alerts"
        Test-ApplicationAccessPolicy -Identity <sender mailbox> -AppId $CLIENT_ID
   or b) RBAC for Applications (Microsoft's successor to access policies); run this script with --skip-mail-send
      (or remove the Entra Mail.Send grant), otherwise the tenant-wide grant still applies:
        New-ServicePrincipal -AppId $CLIENT_ID -ObjectId $PRINCIPAL_ID -DisplayName "Supervision alerts"
        New-ManagementScope -Name "Supervision alert sender" -RecipientRestrictionFilter "PrimarySmtpAddress -eq '<sender mailbox>'"
        New-ManagementRoleAssignment -App $CLIENT_ID -Role "Application Mail.Send" -CustomResourceScope "Supervision alert sender"
2. Upload $PACKAGE to the tenant app catalogue: Teams admin center > Teams apps > Manage apps > Upload new app
   (a Teams administrator). To update it later, raise --app-version and upload again.
3. Install it for every alert recipient: Teams admin center > Teams apps > Setup policies > Installed apps (add
   "信访督办" to the policy of the recipients' users or groups), or let users add it themselves. Graph answers
   403/404 for recipients without the app; the sink logs and marks them failed (docs/alerts.md).
4. Deploy with graphEnabled=true and graphSenderUserId=<sender mailbox> (docs/deploy.md), e.g.
   azd env set SUPERVISION_GRAPH_ENABLED true && azd env set SUPERVISION_GRAPH_SENDER <sender mailbox> && azd provision
EOF
