using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;

namespace Supervision.Calendar.Storage;

/// <summary>
/// Builds the Blob container the calendar store uses from the Functions storage settings: the connection string
/// <c>AzureWebJobsStorage</c> (standalone, tests, Azurite), or the identity-based form
/// <c>AzureWebJobsStorage__blobServiceUri</c> (+ optional <c>AzureWebJobsStorage__clientId</c> for a user-assigned
/// identity) used in Azure, authenticated with <see cref="DefaultAzureCredential"/>.
/// </summary>
public static class CalendarBlobs
{
    /// <summary>The container, or null when neither setting is present.</summary>
    /// <param name="connectionString">A storage connection string, or an https blob service URI (then identity-based).</param>
    /// <param name="blobServiceUri">The identity-based blob service URI; used when <paramref name="connectionString"/> is empty.</param>
    /// <param name="clientId">A user-assigned managed identity's client id, if any.</param>
    /// <param name="containerName">The container holding the notices.</param>
    public static BlobContainerClient? CreateContainer(string? connectionString, string? blobServiceUri, string? clientId, string containerName)
    {
        var options = new BlobClientOptions();

        // Bound every call: a first request must not hang for minutes on an unreachable account.
        options.Retry.MaxRetries = 2;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        options.Retry.Mode = RetryMode.Exponential;

        if (!string.IsNullOrWhiteSpace(connectionString) && !connectionString.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return new BlobServiceClient(connectionString, options).GetBlobContainerClient(containerName);
        }

        var uri = string.IsNullOrWhiteSpace(connectionString) ? blobServiceUri : connectionString;
        if (string.IsNullOrWhiteSpace(uri))
        {
            return null;
        }

        var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = string.IsNullOrWhiteSpace(clientId) ? null : clientId,
        });
        return new BlobServiceClient(new Uri(uri), credential, options).GetBlobContainerClient(containerName);
    }
}
