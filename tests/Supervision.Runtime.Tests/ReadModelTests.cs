using Azure.Data.Tables;
using NodaTime;
using Supervision.Runtime.TestKit;

namespace Supervision.Runtime.Tests;

/// <summary>Read models: version-guarded writes, and rebuilding them from the event rows.</summary>
public sealed class ReadModelTests
{
    [Fact]
    public async Task An_older_version_never_overwrites_a_newer_row_and_a_delete_respects_versions()
    {
        using var h = await RuntimeHarness.CreateAsync();
        var writer = h.Get<ReadModelWriter>();
        Assert.True(await writer.UpsertAsync("m", "p", "r", 5, new Dictionary<string, object?> { ["Status"] = "five" }, CancellationToken.None));
        Assert.False(await writer.UpsertAsync("m", "p", "r", 4, new Dictionary<string, object?> { ["Status"] = "four" }, CancellationToken.None));
        Assert.False(await writer.UpsertAsync("m", "p", "r", 5, new Dictionary<string, object?> { ["Status"] = "five again" }, CancellationToken.None));
        Assert.False(await writer.DeleteAsync("m", "p", "r", 4, CancellationToken.None));
        var table = await h.Storage.ReadModelAsync("m");
        Assert.Equal("five", (await table.GetEntityAsync<TableEntity>("p", "r")).Value.GetString("Status"));

        // Racing writers of different versions: the newest wins whatever the order.
        await Task.WhenAll(Enumerable.Range(6, 10).Select(v =>
            writer.UpsertAsync("m", "p", "r", v, new Dictionary<string, object?> { ["Status"] = "v" + v }, CancellationToken.None)));
        Assert.Equal("v15", (await table.GetEntityAsync<TableEntity>("p", "r")).Value.GetString("Status"));
        Assert.True(await writer.DeleteAsync("m", "p", "r", 15, CancellationToken.None));
    }

    [Fact]
    public async Task A_dropped_read_model_is_rebuilt_from_the_events()
    {
        using var h = await RuntimeHarness.CreateAsync();
        var due = Instant.FromDateTimeOffset(RuntimeHarness.Start.AddDays(1));
        for (var i = 0; i < 5; i++)
        {
            await h.SendAsync("rb" + i, new SetDeadline(due, 1), "s");
        }

        await h.SendAsync("rb4", new CancelDeadline(), "c");
        await h.AdvanceAsync(TimeSpan.FromDays(2), TimeSpan.FromDays(1));
        var table = await h.Storage.ReadModelAsync(DeadlineDecider.ReadModel);
        string Snapshot() => string.Join(",", table.Query<TableEntity>().Select(e => $"{e.RowKey}:{e.GetString("Status")}:{e.GetInt64(ReadModelWriter.VersionProperty)}").Order(StringComparer.Ordinal));
        var before = Snapshot();
        Assert.Equal(4, before.Split(',').Length);

        await h.Ops.DropReadModelAsync(DeadlineDecider.ReadModel);
        Assert.Empty(table.Query<TableEntity>());
        Assert.Equal(4, await h.Ops.RebuildAllReadModelsAsync(DeadlineDecider.Type));
        Assert.Equal(before, Snapshot());
    }
}
