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

        // Every store is read at once (they are independent), and a table's rows only by their timestamp: the ETag comes
        // with every entity anyway, and a history row's payload would be most of the bytes read.
        var tables = new TableServiceClient(connection);
        var queues = new QueueServiceClient(connection);
        var blobs = new BlobServiceClient(connection);
        var reads = new List<Task<(string Key, string Value)>>();
        await foreach (var table in tables.QueryAsync())
        {
            if (Ours(table.Name))
            {
                reads.Add(TableAsync(tables.GetTableClient(table.Name)));
            }
        }

        await foreach (var queue in queues.GetQueuesAsync())
        {
            if (Ours(queue.Name))
            {
                reads.Add(QueueAsync(queues.GetQueueClient(queue.Name)));
            }
        }

        await foreach (var container in blobs.GetBlobContainersAsync())
        {
            if (Ours(container.Name))
            {
                reads.Add(ContainerAsync(blobs.GetBlobContainerClient(container.Name)));
            }
        }

        var snapshot = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in await Task.WhenAll(reads))
        {
            snapshot[key] = value;
        }

        return snapshot;
    }

    private static async Task<(string, string)> TableAsync(TableClient table)
    {
        var (count, newest, etag) = (0, DateTimeOffset.MinValue, string.Empty);
        await foreach (var e in table.QueryAsync<TableEntity>(select: ["Timestamp"]))
        {
            count++;
            if (e.Timestamp > newest)
            {
                (newest, etag) = (e.Timestamp.Value, e.ETag.ToString());
            }
        }

        return ("table " + table.Name, $"{count} rows, newest {newest:O} {etag}");
    }

    private static async Task<(string, string)> QueueAsync(QueueClient client)
    {
        var properties = await client.GetPropertiesAsync();
        var peeked = await client.PeekMessagesAsync(32);
        var newest = peeked.Value.Select(m => m.InsertedOn ?? DateTimeOffset.MinValue).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        return ("queue " + client.Name, $"{properties.Value.ApproximateMessagesCount} messages, newest {newest:O}");
    }

    private static async Task<(string, string)> ContainerAsync(BlobContainerClient container)
    {
        var (count, newest, etag) = (0, DateTimeOffset.MinValue, string.Empty);
        await foreach (var blob in container.GetBlobsAsync())
        {
            count++;
            if (blob.Properties.LastModified > newest)
            {
                (newest, etag) = (blob.Properties.LastModified.Value, blob.Properties.ETag?.ToString() ?? string.Empty);
            }
        }

        return ("container " + container.Name, $"{count} blobs, newest {newest:O} {etag}");
    }

    /// <summary>The stores that differ between two snapshots, one line each; empty when nothing changed.</summary>
    public static IReadOnlyList<string> Differences(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after) =>
        [.. before.Keys.Union(after.Keys).Order(StringComparer.Ordinal)
            .Where(k => before.GetValueOrDefault(k) != after.GetValueOrDefault(k))
            .Select(k => $"{k}: {before.GetValueOrDefault(k) ?? "(none)"} → {after.GetValueOrDefault(k) ?? "(none)"}")];
}
