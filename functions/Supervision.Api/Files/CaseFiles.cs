using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Supervision.Api.Platform;
using Supervision.Files;
using Supervision.Orchestrations;

namespace Supervision.Api.Files;

/// <summary>
/// Settings of the case-file endpoints (<c>Supervision:Files</c>, docs/api.md "Case files"). The container is
/// <see cref="Container"/>, else <c>{Supervision:Storage:Prefix}files</c> when a storage prefix is set (tests), else
/// <c>case-files</c>.
/// </summary>
public sealed class FileSettings
{
    public const string Section = "Supervision:Files";

    public string? Container { get; set; }

    /// <summary>Base64 HMAC key (≥ 32 bytes) for standalone links. Absent: generated once and kept in the container
    /// (<see cref="CaseFiles.KeyBlobName"/>), so every process over one storage account agrees (decision F9.2).</summary>
    public string? LinkSigningKey { get; set; }

    public bool UseUserDelegationSas { get; set; }

    public bool UseVersionLevelWorm { get; set; }

    /// <summary>Lifetime of a link from <c>POST …/files/{fileId}/link</c>.</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// When true, a legal step's <c>opinionFile</c>/<c>reportFile</c> must be a file uploaded to the case. When false
    /// (default), a reference that is not a stored file's id is taken as an external (paper archive) reference and passed
    /// on unchecked; a reference shaped as a file id is always checked (decision F9.4).
    /// </summary>
    public bool RequireStoredLegalRecords { get; set; }

    /// <summary>Create the container at first use (standalone, Azurite); in Azure the Bicep deploys it.</summary>
    public bool? CreateContainer { get; set; }
}

/// <summary>
/// The process's <see cref="CaseFileStore"/>, opened at first use rather than at start-up (start-up never waits on
/// storage): creates the container when asked and resolves the link-signing key. A failed opening is retried by the
/// next request.
/// </summary>
public sealed class CaseFiles(FileSettings settings, StorageSettings storage, IConfiguration config, IServiceProvider services)
{
    /// <summary>Where a generated signing key is kept. Owners start with a letter or digit, so no case or ticket id can
    /// name this blob.</summary>
    public const string KeyBlobName = "_system/link-signing-key";

    private Task<CaseFileStore>? opening;

    public FileSettings Settings => settings;

    public string ContainerName => settings.Container
        ?? (config["Supervision:Storage:Prefix"] is { Length: > 0 } prefix ? prefix.ToLowerInvariant() + "files" : "case-files");

    public Task<CaseFileStore> StoreAsync(CancellationToken ct)
    {
        var current = Volatile.Read(ref opening);
        if (current is null || current.IsFaulted || current.IsCanceled)
        {
            // A failed opening is replaced by the next caller; two racing openings are harmless (both idempotent).
            var fresh = OpenAsync();
            current = Interlocked.CompareExchange(ref opening, fresh, current) == current ? fresh : Volatile.Read(ref opening)!;
        }

        return current.WaitAsync(ct);
    }

    private async Task<CaseFileStore> OpenAsync()
    {
        var container = storage.CreateBlobServiceClient().GetBlobContainerClient(ContainerName);
        if (settings.CreateContainer ?? storage.ConnectionString is not null)
        {
            await container.CreateIfNotExistsAsync();
        }

        var options = new CaseFileOptions
        {
            ContainerName = ContainerName,
            UseUserDelegationSas = settings.UseUserDelegationSas,
            UseVersionLevelWorm = settings.UseVersionLevelWorm,
            LinkSigningKey = settings.UseUserDelegationSas ? null : await SigningKeyAsync(container, CancellationToken.None),
        };
        // Link expiry is real time, never the accelerated legal clock.
        var clock = services.GetRequiredService<Clocks>().Real;
        return new CaseFileStore(container, options, clock);
    }

    private async Task<byte[]> SigningKeyAsync(BlobContainerClient container, CancellationToken ct)
    {
        if (settings.LinkSigningKey is { Length: > 0 } configured)
        {
            var key = Convert.FromBase64String(configured);
            return key.Length >= 32 ? key : throw new InvalidOperationException($"{FileSettings.Section}:LinkSigningKey must be at least 32 bytes (base64).");
        }

        // Generated once, written only if absent: two processes starting together end up with the same key.
        var blob = container.GetBlobClient(KeyBlobName);
        try
        {
            var fresh = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
            await blob.UploadAsync(
                BinaryData.FromBytes(fresh),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                ct);
            return fresh;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return (await blob.DownloadContentAsync(ct)).Value.Content.ToArray();
        }
    }
}
