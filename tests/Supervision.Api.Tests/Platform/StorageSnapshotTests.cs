using Azure.Data.Tables;
using Supervision.Testing;

namespace Supervision.Api.Tests.Platform;

/// <summary>
/// The fuzz test's "refusals write nothing" rests on <see cref="StorageSnapshot"/>: it must see every kind of write
/// (a new row, a row replaced in place, a removed row, a queue message, a blob) and nothing when nothing was written.
/// On Azurite, as the fuzz test runs.
/// </summary>
public sealed class StorageSnapshotTests
{
    [Fact]
    public async Task A_snapshot_sees_every_write_under_the_prefix_and_nothing_else()
    {
        var connection = await TestStorage.GetConnectionStringAsync();
        var prefix = TestStorage.UniqueName("snap");
        var table = (await TestStorage.TablesAsync()).GetTableClient(prefix + "rows");
        await table.CreateIfNotExistsAsync();
        var queue = (await TestStorage.QueuesAsync()).GetQueueClient(prefix + "-work");
        await queue.CreateIfNotExistsAsync();
        var container = (await TestStorage.BlobsAsync()).GetBlobContainerClient(prefix + "-files");
        await container.CreateIfNotExistsAsync();
        await table.AddEntityAsync(new TableEntity("p", "a") { ["Data"] = new string('x', 10_000) });

        async Task<IReadOnlyList<string>> ChangedByAsync(Func<Task> write)
        {
            var before = await StorageSnapshot.TakeAsync(connection, prefix);
            await write();
            return StorageSnapshot.Differences(before, await StorageSnapshot.TakeAsync(connection, prefix));
        }

        Assert.Empty(await ChangedByAsync(() => Task.CompletedTask));

        // A row replaced in place keeps the count: the newest timestamp and ETag show it.
        var replaced = await ChangedByAsync(() => table.UpsertEntityAsync(new TableEntity("p", "a") { ["Data"] = "y" }, TableUpdateMode.Replace));
        Assert.Equal([$"table {prefix}rows"], replaced.Select(Store));
        Assert.Single(await ChangedByAsync(() => table.AddEntityAsync(new TableEntity("p", "b"))));
        Assert.Single(await ChangedByAsync(() => table.DeleteEntityAsync("p", "b")));
        Assert.Equal([$"queue {prefix}-work"], (await ChangedByAsync(() => queue.SendMessageAsync("m"))).Select(Store));
        Assert.Equal([$"container {prefix}-files"], (await ChangedByAsync(() => container.UploadBlobAsync("f", BinaryData.FromString("b")))).Select(Store));

        // Another prefix's writes are not this test's.
        var stranger = (await TestStorage.TablesAsync()).GetTableClient(TestStorage.UniqueName("other"));
        await stranger.CreateIfNotExistsAsync();
        Assert.Empty(await ChangedByAsync(() => stranger.AddEntityAsync(new TableEntity("p", "a"))));
    }

    [Fact]
    public void No_test_name_contains_another_so_a_snapshot_by_prefix_sees_only_its_own_test()
    {
        // e…1 inside e…12 once let the fuzz test see other test classes' writes as its own.
        var names = Enumerable.Range(0, 120).Select(_ => TestStorage.UniqueName("e")).Concat(Enumerable.Range(0, 12).Select(_ => TestStorage.UniqueName("ee"))).ToList();
        var nested = names.SelectMany(a => names.Where(b => a != b && b.Contains(a, StringComparison.Ordinal)).Select(b => $"{a} in {b}")).ToList();
        Assert.Empty(nested);
    }

    private static string Store(string difference) => difference[..difference.IndexOf(':', StringComparison.Ordinal)];
}
