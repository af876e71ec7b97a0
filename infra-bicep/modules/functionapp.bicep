// Flex Consumption (FC1) plan + Linux function app running the .NET isolated worker (runtime `dotnet-isolated` 10.0,
// framework-dependent linux-x64 publish) with Durable Functions on the Azure Storage provider. Every connection is
// identity-based through the user-assigned identity: the host, the Durable extension and the app all read the
// AzureWebJobsStorage__* settings. FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION,
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

@description('Microsoft Graph alert settings, already checked by main.bicep (graphProblems).')
param graph graphOptions

@description('Extra app settings (name/value pairs), applied last: they override a setting of the same name.')
param extraAppSettings appSetting[] = []

import { appSetting, graphOptions, graphAppSettings } from 'graph.bicep'

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

// The one storage connection, identity-based, with explicit service URIs (no cloud suffix in code): the Functions host,
// the Durable Task extension (task hub queues, tables, blobs) and the app (StorageSettings reads the same keys).
var hostStorageSettings = [
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
  { name: 'AzureWebJobsStorage__blobServiceUri', value: blobEndpoint }
  { name: 'AzureWebJobsStorage__queueServiceUri', value: queueEndpoint }
  { name: 'AzureWebJobsStorage__tableServiceUri', value: tableEndpoint }
]

var monitoringSettings = [
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsightsConnectionString }
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
]

var appSettings = [
  { name: 'AZURE_CLIENT_ID', value: identityClientId }
  // GET / is the app's own (monitors, redirect to the UI), not the host's default page.
  { name: 'AzureWebJobsDisableHomepage', value: 'true' }
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
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
  }
}

// All app settings, written as the site's appsettings config (the whole set, replacing what was there) rather than
// siteConfig.appSettings: Supervision__Graph__PublicAppUrl defaults to the site's own default host name, which the
// site's own properties cannot reference. Settings only ever change here; never edit them in the portal.
resource settings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: app
  name: 'appsettings'
  properties: union(
    toObject(
      concat(hostStorageSettings, monitoringSettings, appSettings, graphAppSettings(graph, 'https://${app.properties.defaultHostName}')),
      s => s.name,
      s => s.value
    ),
    toObject(extraAppSettings, s => s.name, s => s.value)
  )
}

output name string = app.name
output id string = app.id
output defaultHostName string = app.properties.defaultHostName
