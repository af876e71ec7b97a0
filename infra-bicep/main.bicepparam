// Parameters for `az deployment group create -f main.bicep -p main.bicepparam` and for azd, which exports
// AZURE_ENV_NAME / AZURE_PRINCIPAL_ID. Values not given here take main.bicep's defaults.
using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'dev')
param principalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param principalType = readEnvironmentVariable('AZURE_PRINCIPAL_TYPE', 'User')

// Microsoft Graph alerts (docs/deploy.md "Microsoft Graph alerts"). Off unless SUPERVISION_GRAPH_ENABLED=true
// (azd: `azd env set SUPERVISION_GRAPH_ENABLED true`, `azd env set SUPERVISION_GRAPH_SENDER alerts@contoso.example`).
// With only those two set: e-mail from that mailbox and Teams notifications, links to the app's own https host name.
param graphEnabled = bool(readEnvironmentVariable('SUPERVISION_GRAPH_ENABLED', 'false'))
param graphSenderUserId = readEnvironmentVariable('SUPERVISION_GRAPH_SENDER', '')
param graphMail = bool(readEnvironmentVariable('SUPERVISION_GRAPH_MAIL', 'true'))
param graphTeams = bool(readEnvironmentVariable('SUPERVISION_GRAPH_TEAMS', 'true'))
param graphBaseUrl = readEnvironmentVariable('SUPERVISION_GRAPH_BASE_URL', 'https://graph.microsoft.com/v1.0')
param graphPublicAppUrl = readEnvironmentVariable('SUPERVISION_GRAPH_PUBLIC_APP_URL', '')
