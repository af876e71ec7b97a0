using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Supervision.Testing;

/// <summary>
/// What a test's storage holds, in brief: for every table, queue and blob container whose name contains the test's
/// prefix, the number of items and the newest change (entity Timestamp and ETag, blob LastModified and ETag, queue
/// message count and the newest message's insertion time). Two equal snapshots mean nothing was written between them.
/// </summary>
public static class StorageSnapshot
{
    /// <summary>
    /// Takes a snapshot. <paramref name="ignore"/> names stores whose changes are the engine's own bookkeeping rather
    /// than anyone's request (e.g. Durable Task's partition ownership table, renewed every few seconds).
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string>> TakeAsync(string connection, string prefix, Func<string, bool>? ignore = null)
    {
        bool Ours(string name) => name.Contains(prefix, StringComparison.OrdinalIgnoreCase) && !(ignore?.Invoke(name) ?? false);
        var snapshot = new SortedDictionary<string, string>(StringComparer.Ordinal);

        var tables = new TableServiceClient(connection);
        await foreach (var table in tables.QueryAsync())
        {
            if (!Ours(table.Name))
            {
                continue;
            }

            var (count, newest, etag) = (0, DateTimeOffset.MinValue, string.Empty);
            await foreach (var e in tables.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                count++;
                if (e.Timestamp > newest)
                {
                    (newest, etag) = (e.Timestamp.Value, e.ETag.ToString());
                }
            }

            snapshot["table " + table.Name] = $"{count} rows, newest {newest:O} {etag}";
        }

        var queues = new QueueServiceClient(connection);
        await foreach (var queue in queues.GetQueuesAsync())
        {
            if (!Ours(queue.Name))
            {
                continue;
            }

            var client = queues.GetQueueClient(queue.Name);
            var properties = await client.GetPropertiesAsync();
            var peeked = await client.PeekMessagesAsync(32);
            var newest = peeked.Value.Select(m => m.InsertedOn ?? DateTimeOffset.MinValue).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
            snapshot["queue " + queue.Name] = $"{properties.Value.ApproximateMessagesCount} messages, newest {newest:O}";
        }

        var blobs = new BlobServiceClient(connection);
        await foreach (var container in blobs.GetBlobContainersAsync())
        {
            if (!Ours(container.Name))
            {
                continue;
            }

            var (count, newest, etag) = (0, DateTimeOffset.MinValue, string.Empty);
            await foreach (var blob in blobs.GetBlobContainerClient(container.Name).GetBlobsAsync())
            {
                count++;
                if (blob.Properties.LastModified > newest)
                {
                    (newest, etag) = (blob.Properties.LastModified.Value, blob.Properties.ETag?.ToString() ?? string.Empty);
                }
            }

            snapshot["container " + container.Name] = $"{count} blobs, newest {newest:O} {etag}";
        }

        return snapshot;
    }

    /// <summary>The stores that differ between two snapshots, one line each; empty when nothing changed.</summary>
    public static IReadOnlyList<string> Differences(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after) =>
        [.. before.Keys.Union(after.Keys).Order(StringComparer.Ordinal)
            .Where(k => before.GetValueOrDefault(k) != after.GetValueOrDefault(k))
            .Select(k => $"{k}: {before.GetValueOrDefault(k) ?? "(none)"} → {after.GetValueOrDefault(k) ?? "(none)"}")];
}
