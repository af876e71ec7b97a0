// The one storage account: Functions host storage (AzureWebJobsStorage: host leases and the Durable Task hub's
// queues, tables and containers, which the extension creates), the deployment package container, the app's tables,
// and the case-files container for legal records (version-level immutability, WORM). Entra-only: shared keys are disabled.
@description('Storage account name (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object = {}

@description('Redundancy SKU.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param skuName string = 'Standard_ZRS'

@description('App tables created up front (audit trail, mailbox, effect failures).')
param tableNames string[]

@description('Container holding case files (letters, evidence, replies); version-level immutability is enabled on it.')
param caseFilesContainerName string = 'case-files'

@description('Container Flex Consumption deploys the app package from.')
param deploymentContainerName string = 'deployments'

@description('Container of the online portal: the challenge-signing key and the spent-challenge markers (decision P1).')
param portalContainerName string = 'portal'

@description('Days a deleted blob or container can be restored.')
@minValue(1)
@maxValue(365)
param deleteRetentionDays int = 30

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
    // Account-level switch for version-level WORM; it can only be turned on when the account is created.
    immutableStorageWithVersioning: {
      enabled: true
    }
  }

  resource blobs 'blobServices' = {
    name: 'default'
    properties: {
      isVersioningEnabled: true
      deleteRetentionPolicy: {
        enabled: true
        days: deleteRetentionDays
      }
      containerDeleteRetentionPolicy: {
        enabled: true
        days: deleteRetentionDays
      }
    }

    resource deployments 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }

    resource portal 'containers' = {
      name: portalContainerName
      properties: {
        publicAccess: 'None'
      }
    }

    // Legal records: version-level immutability. Policies are set per blob version by the app (Unlocked until the
    // retention rules are signed off); Azurite has no immutability, so this is tested only against Azure.
    resource caseFiles 'containers' = {
      name: caseFilesContainerName
      properties: {
        publicAccess: 'None'
        immutableStorageWithVersioning: {
          enabled: true
        }
      }
    }
  }

  resource tablesService 'tableServices' = {
    name: 'default'
  }
}

// Spent portal challenges are single-use markers that matter only while their challenge could still be presented (at
// most a day, PortalChallenges.MaxLifetime): delete them, and their versions, a day after creation instead of a sweeper.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2025-06-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'portal-spent-challenges'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${portalContainerName}/spent/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterCreationGreaterThan: 1
                }
              }
              version: {
                delete: {
                  daysAfterCreationGreaterThan: 1
                }
              }
            }
          }
        }
      ]
    }
  }
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-06-01' = [
  for table in tableNames: {
    parent: account::tablesService
    name: table
  }
]

output name string = account.name
output id string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
output deploymentContainerUrl string = '${account.properties.primaryEndpoints.blob}${deploymentContainerName}'
output caseFilesContainerName string = account::blobs::caseFiles.name
