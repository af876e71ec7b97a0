// Supervision (信访事项督办) on Azure Functions Flex Consumption: one resource group holding the user-assigned
// identity, storage (the app's tables, case-files WORM container, deployment container; Durable Functions creates
// its task hub's queues, tables and containers itself), Log Analytics + Application Insights (Entra-only ingestion),
// the FC1 plan and the dotnet-isolated 10.0 function app, and the data-plane role assignments. Plain resources named after AVM conventions (no br/public: modules:
// CI builds offline). Deploy: docs/deploy.md.
targetScope = 'resourceGroup'

@description('Environment name (azd AZURE_ENV_NAME); part of every resource name.')
@minLength(1)
@maxLength(40)
param environmentName string

@description('Azure region of every resource; defaults to the resource group\'s.')
param location string = resourceGroup().location

@description('Optional: principal id of the developer running the deployment (azd AZURE_PRINCIPAL_ID), given storage data roles.')
param principalId string = ''

@description('Principal type of principalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Storage redundancy.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSkuName string = 'Standard_ZRS'

@description('Tables to create up front. Default none: the app creates its tables (audit records, mailbox, effect failures, read models) on first use, and the Durable extension its task hub\'s; list names here only to pre-create them.')
param tableNames string[] = []

@description('Flex Consumption maximum instance count.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Flex Consumption instance memory (MB).')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Extra app settings (name/value), applied last (they override any setting of the same name); never secrets (there are none: identity only). The Graph alert settings have their own graph* parameters.')
param extraAppSettings { name: string, value: string }[] = []

// Microsoft Graph alerts (docs/deploy.md "Microsoft Graph alerts", docs/alerts.md): app settings Supervision__Graph__*.
// The app calls Graph as the user-assigned identity (no secret); the Graph application permissions Mail.Send and
// TeamsActivity.Send are granted to that identity by scripts/register-teams-app.sh, not here (the Microsoft Graph
// Bicep extension comes from a registry and cannot be restored offline).

@description('Supervision:Graph:Enabled. Deliver alerts by e-mail and Teams through Microsoft Graph as well as the local mailbox. Off by default. When true, graphSenderUserId is required if graphMail is true: the deployment fails otherwise.')
param graphEnabled bool = false

@description('Supervision:Graph:SenderUserId. Object id or UPN of the mailbox alerts are sent from (POST /users/{sender}/sendMail). Required when graphEnabled and graphMail are true.')
param graphSenderUserId string = ''

@description('Supervision:Graph:Mail. Send alert e-mail (application permission Mail.Send).')
param graphMail bool = true

@description('Supervision:Graph:Teams. Send Teams activity-feed notifications (application permission TeamsActivity.Send, and the Teams app from scripts/register-teams-app.sh installed for the recipients).')
param graphTeams bool = true

@description('Supervision:Graph:BaseUrl. Microsoft Graph root including the version; its host is also the token scope. Another national cloud\'s Graph, e.g. https://microsoftgraph.chinacloudapi.cn/v1.0 for Azure operated by 21Vianet.')
param graphBaseUrl string = 'https://graph.microsoft.com/v1.0'

@description('Supervision:Graph:PublicAppUrl. Absolute base URL alert links point to (e.g. a custom domain). Empty = the function app\'s https://<default host name>.')
param graphPublicAppUrl string = ''

@description('Supervision:Graph:DeliveriesTable. Table of delivered (alert, recipient, channel) markers, after the runtime\'s table prefix.')
@minLength(3)
@maxLength(63)
param graphDeliveriesTable string = 'alertdeliveries'

import { graphOptions, graphProblems } from 'modules/graph.bicep'

var graph graphOptions = {
  enabled: graphEnabled
  senderUserId: graphSenderUserId
  mail: graphMail
  teams: graphTeams
  baseUrl: graphBaseUrl
  publicAppUrl: graphPublicAppUrl
  deliveriesTable: graphDeliveriesTable
}

// Incomplete Graph settings stop the deployment with the same problems the app would refuse to start with
// (GraphAlertOptions.Problems + ValidateOnStart). ARM evaluates only the chosen branch of if(), so fail() runs only then.
var graphProblemList = graphProblems(graph)
var graphChecked = empty(graphProblemList) ? graph : fail('Microsoft Graph alert settings: ${join(graphProblemList, ' ')}')

var token = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = {
  'azd-env-name': environmentName
  application: 'supervision'
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-${environmentName}-${token}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-${environmentName}-${token}'
    applicationInsightsName: 'appi-${environmentName}-${token}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: 'st${token}'
    location: location
    tags: tags
    skuName: storageSkuName
    tableNames: tableNames
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    identityPrincipalId: identity.outputs.principalId
    developerPrincipalId: principalId
    developerPrincipalType: principalType
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    name: 'func-${environmentName}-${token}'
    planName: 'plan-${environmentName}-${token}'
    location: location
    tags: tags
    identityResourceId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    graph: graphChecked
    extraAppSettings: extraAppSettings
  }
  // The app starts and pulls its package with the identity: give it its roles first.
  dependsOn: [
    rbac
  ]
}

// azd turns outputs into environment values. No secrets here.
output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = resourceGroup().name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_STORAGE_QUEUE_ENDPOINT string = storage.outputs.queueEndpoint
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output AZURE_CASE_FILES_CONTAINER string = storage.outputs.caseFilesContainerName
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output AZURE_MANAGED_IDENTITY_NAME string = identity.outputs.name
output SUPERVISION_GRAPH_ENABLED bool = graphEnabled
