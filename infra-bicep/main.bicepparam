// Parameters for `az deployment group create -f main.bicep -p main.bicepparam` and for azd, which exports
// AZURE_ENV_NAME / AZURE_PRINCIPAL_ID. Values not given here take main.bicep's defaults.
using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'dev')
param principalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param principalType = readEnvironmentVariable('AZURE_PRINCIPAL_TYPE', 'User')
