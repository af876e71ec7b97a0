using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;

namespace Supervision.Api.Platform;

/// <summary>
/// Where storage is, read once from the Functions-standard <c>AzureWebJobsStorage</c> setting so one config shape
/// serves Azure and a laptop: a connection string (Azurite, tests), or the identity-based form
/// <c>AzureWebJobsStorage__blobServiceUri / __queueServiceUri / __tableServiceUri</c> (+ <c>__clientId</c> for a
/// user-assigned managed identity), as the Bicep in <c>infra-bicep/</c> sets it.
/// </summary>
public sealed class StorageSettings
{
    private StorageSettings(string? connectionString, Uri? blob, Uri? queue, Uri? table, TokenCredential? credential)
    {
        ConnectionString = connectionString;
        BlobServiceUri = blob;
        QueueServiceUri = queue;
        TableServiceUri = table;
        Credential = credential;
    }

    public string? ConnectionString { get; }

    public Uri? BlobServiceUri { get; }

    public Uri? QueueServiceUri { get; }

    public Uri? TableServiceUri { get; }

    public TokenCredential? Credential { get; }

    public bool IsConfigured => ConnectionString is not null || TableServiceUri is not null;

    public static StorageSettings From(IConfiguration config)
    {
        var section = config.GetSection("AzureWebJobsStorage");
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return new StorageSettings(section.Value, null, null, null, null);
        }

        Uri? U(string key) => section[key] is { Length: > 0 } v ? new Uri(v) : null;
        var accountName = section["accountName"];
        Uri? FromAccount(string service) => accountName is null ? null : new Uri($"https://{accountName}.{service}.core.windows.net");
        var clientId = section["clientId"];
        TokenCredential credential = clientId is { Length: > 0 }
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();
        return new StorageSettings(
            null,
            U("blobServiceUri") ?? FromAccount("blob"),
            U("queueServiceUri") ?? FromAccount("queue"),
            U("tableServiceUri") ?? FromAccount("table"),
            credential);
    }

    public BlobServiceClient CreateBlobServiceClient() =>
        ConnectionString is not null
            ? new BlobServiceClient(ConnectionString)
            : new BlobServiceClient(BlobServiceUri ?? throw Missing("blobServiceUri"), Credential);

    private static InvalidOperationException Missing(string key) =>
        new($"Storage is not configured: set AzureWebJobsStorage (a connection string) or AzureWebJobsStorage__{key}.");
}
