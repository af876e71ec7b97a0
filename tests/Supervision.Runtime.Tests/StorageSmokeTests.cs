using Azure.Data.Tables;
using Supervision.Testing;

namespace Supervision.Runtime.Tests;

/// <summary>Proves the shared storage fixture reaches a live Table endpoint (Azurite or a real account).</summary>
public sealed class StorageSmokeTests
{
    [Fact]
    public async Task Table_round_trip_through_the_shared_storage()
    {
        var tables = await TestStorage.TablesAsync();
        var name = TestStorage.UniqueName("smoke");
        var table = tables.GetTableClient(name);
        await table.CreateIfNotExistsAsync();

        await table.AddEntityAsync(new TableEntity("p", "r") { ["Text"] = "信访事项" });
        var back = await table.GetEntityAsync<TableEntity>("p", "r");

        Assert.Equal("信访事项", back.Value.GetString("Text"));
        await table.DeleteAsync();
    }
}
