// Flex Consumption (FC1) plan + Linux function app running the ASP.NET Core custom handler (runtime `custom` 1.0,
// self-contained linux-x64 publish; docs/deploy.md has the `dotnet-isolated` alternative). Every connection is
// identity-based through the user-assigned identity. FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION,
// WEBSITE_RUN_FROM_PACKAGE and WEBSITE_CONTENT* are deprecated on Flex and deliberately absent.
@description('Function app name.')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object = {}

@description('azd service name (azure.yaml) this app hosts.')
param serviceName string = 'functions'

@description('Resource id of the user-assigned identity.')
param identityResourceId string

@description('Client id of the user-assigned identity.')
param identityClientId string

@description('Blob service endpoint, e.g. https://<account>.blob.<suffix>/')
param blobEndpoint string

@description('Queue service endpoint.')
param queueEndpoint string

@description('Table service endpoint.')
param tableEndpoint string

@description('URL of the blob container the package is deployed to.')
param deploymentContainerUrl string

@description('Application Insights connection string (no key is usable: local auth is disabled).')
param applicationInsightsConnectionString string

@description('Maximum instances Flex may scale out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory per instance.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('host.json maxDequeueCount, repeated for the handler (it is not passed to custom handlers).')
param maxDequeueCount int = 5

@description('Extra app settings (name/value pairs), e.g. Graph settings.')
param extraAppSettings { name: string, value: string }[] = []

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

var managedIdentity = [
  { name: 'credential', value: 'managedidentity' }
  { name: 'clientId', value: identityClientId }
]

// Functions host storage (timer leases, queue trigger, poison queue) with explicit service URIs (no cloud suffix in code).
var hostStorageSettings = [
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
  { name: 'AzureWebJobsStorage__blobServiceUri', value: blobEndpoint }
  { name: 'AzureWebJobsStorage__queueServiceUri', value: queueEndpoint }
  { name: 'AzureWebJobsStorage__tableServiceUri', value: tableEndpoint }
]

// The app's own clients, in Microsoft.Extensions.Azure's configuration shape (PLATFORM.md §5):
// Tables take `endpoint`, Blobs and Queues take `serviceUri`.
var appStorageSettings = concat(
  [
    { name: 'Storage__Tables__endpoint', value: tableEndpoint }
    { name: 'Storage__Blobs__serviceUri', value: blobEndpoint }
    { name: 'Storage__Queues__serviceUri', value: queueEndpoint }
  ],
  map(managedIdentity, s => { name: 'Storage__Tables__${s.name}', value: s.value }),
  map(managedIdentity, s => { name: 'Storage__Blobs__${s.name}', value: s.value }),
  map(managedIdentity, s => { name: 'Storage__Queues__${s.name}', value: s.value })
)

var monitoringSettings = [
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsightsConnectionString }
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
]

var handlerSettings = [
  { name: 'AZURE_CLIENT_ID', value: identityClientId }
  { name: 'Supervision__Triggers__MaxDequeueCount', value: string(maxDequeueCount) }
]

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityResourceId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'custom'
        version: '1.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: concat(hostStorageSettings, appStorageSettings, monitoringSettings, handlerSettings, extraAppSettings)
    }
  }
}

output name string = app.name
output id string = app.id
output defaultHostName string = app.properties.defaultHostName
