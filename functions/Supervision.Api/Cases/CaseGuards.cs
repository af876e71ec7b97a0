using Azure;
using Azure.Data.Tables;
using Supervision.Orchestrations;

namespace Supervision.Api.Cases;

/// <summary>
/// The Art. 19/36 duplicate check made atomic: before a case is started, its petitioner + matter fingerprint is claimed
/// with a conditional insert into <c>{prefix}fingerprints</c> (PartitionKey = fingerprint). Of identical registrations
/// sent at once exactly one wins the insert; the others find the claim. A claim whose registration was refused is
/// released, and a claim left by a registration that never landed (crash) is taken over after <see cref="Stale"/>.
/// </summary>
public sealed class FingerprintClaims(OrchestrationStorage storage, Clocks clocks)
{
    public const string CaseIdColumn = "caseId";
    public const string CommandIdColumn = "commandId";
    public const string ClaimedAtColumn = "claimedAt";
    public const string FingerprintColumn = "fingerprint";

    /// <summary>Partition prefix of the submission-key rows (decision P2); a fingerprint is lower-case hex, so they never meet.</summary>
    public const string SubmissionPrefix = "submission-key|";

    /// <summary>Real time after which an unfinished claim (no case, no outcome) may be taken over.</summary>
    public static readonly TimeSpan Stale = TimeSpan.FromMinutes(5);

    private Task<TableClient> TableAsync() => storage.TableAsync(storage.Options.Prefix + "fingerprints");

    /// <summary>Inserts the claim; null when it is ours now, else the existing claim (with its ETag).</summary>
    public async Task<TableEntity?> TryClaimAsync(string fingerprint, string caseId, string commandId, CancellationToken ct)
    {
        var table = await TableAsync();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await table.AddEntityAsync(Row(fingerprint, caseId, commandId), ct);
                return null;
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                var existing = await table.GetEntityIfExistsAsync<TableEntity>(fingerprint, string.Empty, cancellationToken: ct);
                if (existing.HasValue)
                {
                    return existing.Value;
                }

                if (attempt >= 3)
                {
                    throw;
                }
            }
        }
    }

    /// <summary>The claim on <paramref name="fingerprint"/>, or null; reads only.</summary>
    public async Task<TableEntity?> FindAsync(string fingerprint, CancellationToken ct)
    {
        var table = await TableAsync();
        var existing = await table.GetEntityIfExistsAsync<TableEntity>(fingerprint, string.Empty, cancellationToken: ct);
        return existing.HasValue ? existing.Value : null;
    }

    /// <summary>
    /// What a portal submission key (decision P2) was used for: the fingerprint and case id of the petition registered with
    /// it, or null. The row is keyed by the key's SHA-256 (the hash the command id already carries), never the key.
    /// </summary>
    public async Task<(string Fingerprint, string CaseId)?> FindSubmissionAsync(string keyHash, CancellationToken ct)
    {
        var table = await TableAsync();
        var existing = await table.GetEntityIfExistsAsync<TableEntity>(SubmissionPrefix + keyHash, string.Empty, cancellationToken: ct);
        return existing.HasValue && existing.Value!.GetString(FingerprintColumn) is { } fp && existing.Value.GetString(CaseIdColumn) is { } id
            ? (fp, id)
            : null;
    }

    /// <summary>Records that the submission key with <paramref name="keyHash"/> registered this petition (first one wins).</summary>
    public async Task BindSubmissionAsync(string keyHash, string fingerprint, string caseId, CancellationToken ct)
    {
        var table = await TableAsync();
        try
        {
            await table.AddEntityAsync(
                new TableEntity(SubmissionPrefix + keyHash, string.Empty)
                {
                    [FingerprintColumn] = fingerprint,
                    [CaseIdColumn] = caseId,
                    [ClaimedAtColumn] = clocks.Real.GetUtcNow(),
                },
                ct);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Already bound (a retry): the first binding stands.
        }
    }

    /// <summary>Replaces <paramref name="existing"/> with our claim if nobody changed it since it was read.</summary>
    public async Task<bool> TakeOverAsync(TableEntity existing, string caseId, string commandId, CancellationToken ct)
    {
        var table = await TableAsync();
        try
        {
            await table.UpdateEntityAsync(Row(existing.PartitionKey, caseId, commandId), existing.ETag, TableUpdateMode.Replace, ct);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return false;
        }
    }

    /// <summary>Releases our claim (after the registration was refused), never someone else's.</summary>
    public async Task ReleaseAsync(string fingerprint, string commandId, CancellationToken ct)
    {
        var table = await TableAsync();
        var existing = await table.GetEntityIfExistsAsync<TableEntity>(fingerprint, string.Empty, cancellationToken: ct);
        if (existing.HasValue && existing.Value!.GetString(CommandIdColumn) == commandId)
        {
            try
            {
                await table.DeleteEntityAsync(existing.Value, existing.Value.ETag, ct);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Gone or taken over meanwhile: nothing of ours to release.
            }
        }
    }

    /// <summary>An unfinished claim older than <see cref="Stale"/> (real time) may be taken over.</summary>
    public bool IsStale(TableEntity claim) =>
        clocks.Real.GetUtcNow() - (claim.GetDateTimeOffset(ClaimedAtColumn) ?? DateTimeOffset.MinValue) > Stale;

    private TableEntity Row(string fingerprint, string caseId, string commandId) => new(fingerprint, string.Empty)
    {
        [CaseIdColumn] = caseId,
        [CommandIdColumn] = commandId,
        [ClaimedAtColumn] = clocks.Real.GetUtcNow(),
    };
}
