using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Supervision.Testing;

namespace Supervision.Orchestrations.Tests;

/// <summary>Versioned read-model writes on Azurite: a late, older upsert never brings back a row a newer decision deleted.</summary>
public sealed class ReadModelWriterTests
{
    [Fact]
    public async Task An_older_upsert_redelivered_after_the_row_moved_away_does_not_bring_it_back()
    {
        var storage = new OrchestrationStorage(
            Options.Create(new StorageOptions { ConnectionString = await TestStorage.GetConnectionStringAsync(), Prefix = TestStorage.UniqueName("rm") }),
            new StorageMetrics(null));
        var writer = new ReadModelWriter(storage);
        var values = new Dictionary<string, object?>(StringComparer.Ordinal) { ["Status"] = "Registered" };

        // Decision 1 put the row in the registering unit's partition; decision 2 moved the case to the agency.
        Assert.True(await writer.UpsertAsync("cases", "c-bureau", "XF-1", 1, values, default));
        Assert.True(await writer.DeleteAsync("cases", "c-bureau", "XF-1", 2, default));
        Assert.True(await writer.UpsertAsync("cases", "c-housing", "XF-1", 2, values, default));

        // Decision 1's effect, redelivered after a crash, runs again: the tombstone refuses it.
        Assert.False(await writer.UpsertAsync("cases", "c-bureau", "XF-1", 1, values, default));
        // A delete that runs before the upsert it supersedes also leaves its tombstone.
        Assert.False(await writer.DeleteAsync("cases", "c-hrss", "XF-2", 4, default));
        Assert.False(await writer.UpsertAsync("cases", "c-hrss", "XF-2", 3, values, default));

        var table = await storage.ReadModelAsync("cases");
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }

        Assert.Equal([("c-housing", "XF-1")], rows.Select(r => (r.PartitionKey, r.RowKey)));

        // A newer decision moving the case back is a real write.
        Assert.True(await writer.UpsertAsync("cases", "c-bureau", "XF-1", 5, values, default));
        Assert.True((await table.GetEntityIfExistsAsync<TableEntity>("c-bureau", "XF-1")).HasValue);
    }
}
