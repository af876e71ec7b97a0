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

/// <summary>
/// Wrong query codes per case (<c>{prefix}querylocks</c>, PartitionKey = case id, written by the API only). After
/// <c>QueryCodeFailures</c> wrong codes the case's code is locked: even the right code answers 404 until a registrar
/// re-issues a code, which deletes the row.
/// </summary>
public sealed class QueryCodeLocks(OrchestrationStorage storage)
{
    public const string FailuresColumn = "failures";

    private Task<TableClient> TableAsync() => storage.TableAsync(storage.Options.Prefix + "querylocks");

    public async Task<int> FailuresAsync(string caseId, CancellationToken ct)
    {
        var table = await TableAsync();
        var row = await table.GetEntityIfExistsAsync<TableEntity>(caseId, string.Empty, cancellationToken: ct);
        return row.HasValue ? row.Value!.GetInt32(FailuresColumn) ?? 0 : 0;
    }

    /// <summary>Counts one wrong code (ETag-guarded read-modify-write, so concurrent failures all count).</summary>
    public async Task<int> FailAsync(string caseId, CancellationToken ct)
    {
        var table = await TableAsync();
        for (var attempt = 0; ; attempt++)
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(caseId, string.Empty, cancellationToken: ct);
            try
            {
                if (!row.HasValue)
                {
                    await table.AddEntityAsync(new TableEntity(caseId, string.Empty) { [FailuresColumn] = 1 }, ct);
                    return 1;
                }

                var failures = (row.Value!.GetInt32(FailuresColumn) ?? 0) + 1;
                row.Value[FailuresColumn] = failures;
                await table.UpdateEntityAsync(row.Value, row.Value.ETag, TableUpdateMode.Replace, ct);
                return failures;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < 10)
            {
                // Another wrong code was counted at the same time: count this one on top.
            }
        }
    }

    /// <summary>Clears the count: after the right code (below the lock) or a re-issued code.</summary>
    public async Task ResetAsync(string caseId, CancellationToken ct)
    {
        var table = await TableAsync();
        try
        {
            await table.DeleteEntityAsync(caseId, string.Empty, ETag.All, ct);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Nothing counted.
        }
    }
}
