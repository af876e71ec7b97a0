using Azure;
using Azure.Data.Tables;

namespace Supervision.Orchestrations;

/// <summary>
/// Read-model tables (ARCHITECTURE.md §4.4), one per model (<see cref="StorageOptions.ReadModelTable"/>). Every row
/// carries <see cref="VersionProperty"/>; an upsert applies only if its version is newer, through an ETag-conditional
/// replace, so redelivered or out-of-order effects never regress a row. A delete leaves a tombstone with its version in
/// the model's <c>…gone</c> table (readers never see it): an activity redelivered after a crash can re-run an older
/// upsert after the row moved to another partition, and without the tombstone it would bring the old row back.
/// </summary>
public sealed class ReadModelWriter(OrchestrationStorage storage)
{
    public const string VersionProperty = "ModelVersion";

    public Task<bool> UpsertAsync(UpsertData u, CancellationToken ct) =>
        UpsertAsync(u.Model, u.PartitionKey, u.RowKey, u.Version, u.Values.ToDictionary(kv => kv.Key, kv => EffectCodec.FromTyped(kv.Value), StringComparer.Ordinal), ct);

    public Task<bool> DeleteAsync(DeleteData d, CancellationToken ct) => DeleteAsync(d.Model, d.PartitionKey, d.RowKey, d.Version, ct);

    /// <returns>True when the row was written; false when a row of the same or a newer version was already there.</returns>
    public async Task<bool> UpsertAsync(string model, string partitionKey, string rowKey, long version, IReadOnlyDictionary<string, object?> values, CancellationToken ct)
    {
        var table = await storage.ReadModelAsync(model);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var existing = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: ct);
            var entity = new TableEntity(partitionKey, rowKey) { [VersionProperty] = version };
            foreach (var (k, v) in values)
            {
                if (k == VersionProperty)
                {
                    throw new InvalidOperationException($"'{VersionProperty}' is reserved in read models.");
                }

                entity[k] = v;
            }

            try
            {
                if (existing.HasValue && existing.Value is { } row)
                {
                    if ((row.GetInt64(VersionProperty) ?? long.MinValue) >= version)
                    {
                        return false;
                    }

                    await table.UpdateEntityAsync(entity, row.ETag, TableUpdateMode.Replace, ct);
                }
                else
                {
                    var gone = await (await TombstonesAsync(model)).GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: ct);
                    if (gone.HasValue && gone.Value is { } tombstone && (tombstone.GetInt64(VersionProperty) ?? long.MinValue) >= version)
                    {
                        return false; // deleted by a newer decision: this is a late duplicate
                    }

                    await table.AddEntityAsync(entity, ct);
                }

                return true;
            }
            catch (RequestFailedException e) when (e.Status is 404 or 409 or 412)
            {
                // Another dispatcher wrote the row between our read and write: read again and compare versions.
            }
        }

        throw new InvalidOperationException("Read-model row kept changing under a versioned upsert.");
    }

    /// <returns>True when the row was deleted; false when it was absent or newer.</returns>
    public async Task<bool> DeleteAsync(string model, string partitionKey, string rowKey, long version, CancellationToken ct)
    {
        // The tombstone first, even when the row is not there yet: an older upsert that arrives late must find why.
        await (await TombstonesAsync(model)).UpsertEntityAsync(new TableEntity(partitionKey, rowKey) { [VersionProperty] = version }, TableUpdateMode.Replace, ct);
        var table = await storage.ReadModelAsync(model);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var existing = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: ct);
            if (!existing.HasValue || existing.Value is not { } row || (row.GetInt64(VersionProperty) ?? long.MinValue) > version)
            {
                return false;
            }

            try
            {
                await table.DeleteEntityAsync(partitionKey, rowKey, row.ETag, ct);
                return true;
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Changed or deleted concurrently: re-read.
            }
        }

        throw new InvalidOperationException("Read-model row kept changing under a versioned delete.");
    }

    /// <summary>
    /// Adds a <see cref="Supervision.Domain.Orchestration.BumpCounters"/> effect's deltas in one entity-group transaction
    /// with its marker row: the marker's insert fails if the effect was applied before, and each counter row is replaced
    /// under the ETag it was read with (a concurrent bump retries). Exactly once, whatever the redelivery (decision A21).
    /// </summary>
    /// <returns>True when applied now; false when its marker was already there.</returns>
    public async Task<bool> BumpAsync(CountersData c, CancellationToken ct)
    {
        var table = await storage.ReadModelAsync(c.Model);
        for (var attempt = 0; attempt < 30; attempt++)
        {
            var actions = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.Add, new TableEntity(c.PartitionKey, c.MarkerRowKey) { ["Kind"] = "marker" }),
            };
            foreach (var (rowKey, deltas) in c.Counters.OrderBy(r => r.Key, StringComparer.Ordinal))
            {
                var existing = await table.GetEntityIfExistsAsync<TableEntity>(c.PartitionKey, rowKey, cancellationToken: ct);
                var row = new TableEntity(c.PartitionKey, rowKey);
                long before = 0, after = 0;
                if (existing.HasValue && existing.Value is { } old)
                {
                    foreach (var (k, v) in old)
                    {
                        if (v is long or int && k is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))
                        {
                            row[k] = Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture);
                        }
                    }
                }

                foreach (var (name, delta) in deltas)
                {
                    row[name] = (row.GetInt64(name) ?? 0) + delta;
                }

                if (c.Mirror is { } m && rowKey.StartsWith(m.From, StringComparison.Ordinal))
                {
                    before = existing.HasValue && existing.Value is { } o ? o.GetInt64(m.Counter) ?? 0 : 0;
                    after = row.GetInt64(m.Counter) ?? 0;
                }

                actions.Add(existing.HasValue && existing.Value is { } current
                    ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, current.ETag)
                    : new TableTransactionAction(TableTransactionActionType.Add, row));
                if (c.Mirror is { } mirror && rowKey.StartsWith(mirror.From, StringComparison.Ordinal))
                {
                    var copyKey = mirror.To + rowKey[mirror.From.Length..];
                    if (after >= mirror.AtLeast)
                    {
                        var copy = new TableEntity(c.PartitionKey, copyKey);
                        foreach (var (k, v) in row)
                        {
                            if (k is not ("PartitionKey" or "RowKey"))
                            {
                                copy[k] = v;
                            }
                        }

                        actions.Add(new(TableTransactionActionType.UpsertReplace, copy));
                    }
                    else if (before >= mirror.AtLeast)
                    {
                        actions.Add(new(TableTransactionActionType.Delete, new TableEntity(c.PartitionKey, copyKey), ETag.All));
                    }
                }
            }

            TransactionGuard.Validate(actions);
            try
            {
                await table.SubmitTransactionAsync(actions, ct);
                return true;
            }
            catch (TableTransactionFailedException e) when (e.Status is 404 or 409 or 412)
            {
                if ((await table.GetEntityIfExistsAsync<TableEntity>(c.PartitionKey, c.MarkerRowKey, cancellationToken: ct)).HasValue)
                {
                    return false; // applied before (a redelivered effect, or a rebuild that already counted it)
                }

                // A concurrent bump changed a counter row between our read and the transaction: read again.
            }
        }

        throw new InvalidOperationException("Aggregate counters kept changing under a bump.");
    }

    private Task<TableClient> TombstonesAsync(string model) => storage.ReadModelAsync(model + "gone");
}
