using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;
using Supervision.Api.Platform;
using Supervision.Calendar.Storage;
using Supervision.Domain.Org;
using Supervision.Orchestrations;

namespace Supervision.Api.Org;

/// <summary>Settings of <c>Supervision:Org</c>.</summary>
public sealed class OrgOptions
{
    /// <summary>Blob container for configuration documents (the org directory). Tests isolate with their own name.</summary>
    public string Container { get; set; } = "config";

    /// <summary>Seed used while no directory is stored: <c>demo</c> (the embedded demo org) or <c>empty</c>.</summary>
    public string Seed { get; set; } = "empty";

    /// <summary>How long a host trusts its cached copy before re-reading the blob (other hosts may have edited it).</summary>
    public TimeSpan CacheFor { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// The current org directory: the stored document (<c>org/directory.json</c> in Blob storage), or the configured seed
/// while none is stored. Edits are read-modify-write guarded by the blob ETag, validated by
/// <see cref="OrgDirectory.Parse"/> before anything is written. Never touched during start-up.
/// </summary>
public sealed class OrgService
{
    private const string BlobName = "org/directory.json";
    private readonly StorageSettings storage;
    private readonly IOptions<OrgOptions> options;
    private readonly RefreshingCache<Stored> cache;

    public OrgService(StorageSettings storage, IOptions<OrgOptions> options, Clocks clocks)
    {
        this.storage = storage;
        this.options = options;

        // Caching is about real seconds, whatever speed the legal clock runs at (a demo day per second would expire it at once).
        cache = new RefreshingCache<Stored>((_, ct) => ReadAsync(ct), clocks.Real, options.Value.CacheFor);
    }

    /// <summary>The directory (served from memory once loaded; re-read in the background after <see cref="OrgOptions.CacheFor"/>).</summary>
    public async Task<OrgDirectory> GetAsync(CancellationToken ct = default) => (await cache.GetAsync(ct)).Org;

    /// <summary>
    /// Synchronous access for deciders, which are synchronous by contract: the loaded directory (refreshed in the
    /// background when stale). Only the very first use waits for storage; the load runs on the thread pool, so waiting
    /// here from orchestrator code cannot deadlock it.
    /// </summary>
    public OrgDirectory Current => cache.GetAsync().GetAwaiter().GetResult().Org;

    /// <summary>The ETag of the directory as served (<c>"seed"</c> while none is stored), for <c>If-Match</c>.</summary>
    public const string SeedETag = "\"seed\"";

    /// <summary>The stored directory and its ETag, read now (no cache): what an editor's <c>If-Match</c> is checked against.</summary>
    public async Task<(OrgDirectory Org, string ETag)> GetVersionedAsync(CancellationToken ct)
    {
        var (org, etag) = await cache.ReloadAsync(ct);
        return (org, etag?.ToString("H") ?? SeedETag);
    }

    /// <summary>Replaces the whole directory after validation. Returns the stored directory.</summary>
    /// <exception cref="DataValidationException">The document is invalid; nothing was written.</exception>
    public Task<OrgDirectory> ReplaceAsync(string json, CancellationToken ct) => UpdateAsync(_ => OrgDirectory.Parse(json), ct);

    /// <summary>Applies one edit (add/replace/remove a unit or person) with optimistic concurrency, re-validating the result.</summary>
    public async Task<OrgDirectory> UpdateAsync(Func<OrgDirectory, OrgDirectory> edit, CancellationToken ct) =>
        (await UpdateAsync(edit, ifMatch: null, ct)).Org;

    /// <summary>
    /// Applies an edit only if the stored directory still has ETag <paramref name="ifMatch"/> (when given): otherwise
    /// <see cref="OrgPreconditionFailedException"/>, nothing written. Returns the stored directory and its new ETag.
    /// </summary>
    public async Task<(OrgDirectory Org, string ETag)> UpdateAsync(Func<OrgDirectory, OrgDirectory> edit, string? ifMatch, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (current, etag) = await cache.ReloadAsync(ct);
            if (ifMatch is not null && ifMatch != (etag?.ToString("H") ?? SeedETag))
            {
                throw new OrgPreconditionFailedException();
            }

            // Round-trip through the validating parser so an edit can never store an inconsistent tree.
            var next = OrgDirectory.Parse(edit(current).ToJson());
            var blob = await BlobAsync(ct);
            var conditions = etag is { } e ? new BlobRequestConditions { IfMatch = e } : new BlobRequestConditions { IfNoneMatch = ETag.All };
            try
            {
                var result = await blob.UploadAsync(BinaryData.FromString(next.ToJson()), new BlobUploadOptions { Conditions = conditions }, ct);
                cache.Set(new Stored(next, result.Value.ETag));

                return (next, result.Value.ETag.ToString("H"));
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && ifMatch is not null)
            {
                throw new OrgPreconditionFailedException();
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < 5)
            {
                // Another host edited the directory first: reload and apply the edit again.
            }
        }
    }

    /// <summary>The stored directory and its ETag, or the seed (no ETag) while none is stored.</summary>
    private async Task<Stored> ReadAsync(CancellationToken ct)
    {
        var blob = await BlobAsync(ct);
        try
        {
            var content = await blob.DownloadContentAsync(ct);
            return new Stored(OrgDirectory.Parse(content.Value.Content.ToString()), content.Value.Details.ETag);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return new Stored(Seed(), null);
        }
    }

    private sealed record Stored(OrgDirectory Org, ETag? ETag);

    private OrgDirectory Seed() =>
        options.Value.Seed == "demo" ? OrgDirectory.Demo : OrgDirectory.Empty;

    private BlobContainerClient? container;

    private async Task<BlobClient> BlobAsync(CancellationToken ct)
    {
        if (container is null)
        {
            var c = storage.CreateBlobServiceClient().GetBlobContainerClient(options.Value.Container);
            await c.CreateIfNotExistsAsync(cancellationToken: ct);
            container = c;
        }

        return container.GetBlobClient(BlobName);
    }
}

/// <summary>The directory changed since the editor read it (<c>If-Match</c> no longer matches).</summary>
public sealed class OrgPreconditionFailedException : Exception
{
    public OrgPreconditionFailedException()
        : base("The org directory has changed since you read it; GET it again and re-apply your edit.")
    {
    }

    public OrgPreconditionFailedException(string message)
        : base(message)
    {
    }

    public OrgPreconditionFailedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
