// User-assigned managed identity: the app's only credential (storage, App Insights ingestion, and Microsoft Graph
// for alerts: scripts/register-teams-app.sh grants its service principal Mail.Send and TeamsActivity.Send — see
// docs/deploy.md "Microsoft Graph alerts").
@description('Identity name.')
param name string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output resourceId string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
