using Azure.Data.Tables;

namespace Supervision.Orchestrations.Tests.Harness;

/// <summary>Reads <see cref="StorageOptions.LogEffectAttempts"/>' table: dispatch attempts per effect id, before de-duplication.</summary>
public static class EffectLog
{
    public static async Task<IReadOnlyDictionary<string, int>> CountsAsync(OrchestrationStorage storage) =>
        await CountsAsync(await storage.EffectLogAsync());

    public static async Task<IReadOnlyDictionary<string, int>> CountsAsync(TableClient table)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var e in table.QueryAsync<TableEntity>(select: ["PartitionKey"]))
        {
            var id = Keys.Unescape(e.PartitionKey);
            counts[id] = counts.GetValueOrDefault(id) + 1;
        }

        return counts;
    }
}
