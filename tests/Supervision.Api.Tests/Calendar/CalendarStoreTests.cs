using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Time.Testing;
using Supervision.Calendar.Storage;
using Supervision.Domain.Calendar;
using Supervision.Testing;

namespace Supervision.Api.Tests.Calendar;

/// <summary>The store shared by the app and the CLI, against Azurite, each test in its own container.</summary>
public sealed class CalendarStoreTests
{
    private static async Task<(CalendarStore Store, BlobContainerClient Container)> NewStoreAsync(TimeProvider? time = null)
    {
        var container = (await TestStorage.BlobsAsync()).GetBlobContainerClient(TestStorage.UniqueName("calstore"));
        return (new CalendarStore(container, time ?? new FakeTimeProvider(), TimeSpan.FromSeconds(60)), container);
    }

    private static HolidayNotice Notice(int year, string version) => HolidayNotice.Parse(new JsonObject
    {
        ["year"] = year,
        ["version"] = version,
        ["source"] = $"国务院办公厅关于{year}年部分节假日安排的通知（测试数据）",
        ["restBlocks"] = new JsonArray(new JsonObject { ["name"] = "国庆节", ["from"] = $"{year}-10-01", ["to"] = $"{year}-10-07" }),
    }.ToJsonString());

    [Fact]
    public async Task Saving_keeps_the_notice_in_effect_and_every_version_in_history()
    {
        var (store, container) = await NewStoreAsync();

        await store.SaveAsync(Notice(2027, "2027.1"));
        await store.SaveAsync(Notice(2027, "2027.2"));

        var snapshot = await store.GetAsync();
        Assert.Equal("2027.2", snapshot.Calendar.Notices[2027].Version);
        Assert.Equal(NoticeOrigin.Stored, snapshot.Origins[2027]);
        Assert.Equal(NoticeOrigin.Embedded, snapshot.Origins[2026]);
        var names = new List<string>();
        await foreach (var b in container.GetBlobsAsync())
        {
            names.Add(b.Name);
        }

        Assert.Equal(["history/2027/2027.1.json", "history/2027/2027.2.json", "notices/2027.json"], names.Order());
    }

    [Fact]
    public async Task A_blob_that_does_not_validate_is_ignored_and_reported_never_half_applied()
    {
        var (store, container) = await NewStoreAsync();
        await container.CreateAsync();
        await container.GetBlobClient(CalendarStore.NoticeBlobName(2027)).UploadAsync(BinaryData.FromString("{\"year\": 2027}"));
        await container.GetBlobClient(CalendarStore.NoticeBlobName(2028)).UploadAsync(BinaryData.FromString(Notice(2029, "x").ToJson()));

        var snapshot = await store.GetAsync();

        Assert.False(snapshot.Calendar.HasNotice(2027));
        Assert.False(snapshot.Calendar.HasNotice(2029));
        Assert.Contains("notices/2027.json ignored: version is required", snapshot.StorageProblem, StringComparison.Ordinal);
        Assert.Contains("notices/2028.json ignored: it is the notice for 2029", snapshot.StorageProblem, StringComparison.Ordinal);
        Assert.True(snapshot.Calendar.HasNotice(2026)); // the embedded notices still serve
    }

    [Fact]
    public async Task A_notice_that_contradicts_a_neighbouring_year_is_refused_and_nothing_is_stored()
    {
        var (store, container) = await NewStoreAsync();

        // Works on 2022-12-31, which the 2023 notice rests.
        var doc = JsonNode.Parse(LegalCalendar.Default.Notices[2022].ToJson())!;
        doc["version"] = "2022.2";
        doc["makeUpWorkdays"]!.AsArray().Add("2022-12-31");

        var e = await Assert.ThrowsAsync<CalendarDataException>(() => store.SaveAsync(HolidayNotice.Parse(doc.ToJsonString())));
        Assert.Contains("2022-12-31", e.Message, StringComparison.Ordinal);
        Assert.False((await container.ExistsAsync()).Value);
    }

    [Fact]
    public async Task Nothing_is_read_until_first_use_and_a_refresh_downloads_only_what_changed()
    {
        var time = new FakeTimeProvider();
        var (store, container) = await NewStoreAsync(time);
        var writer = new CalendarStore(container, Supervision.Orchestrations.Clocks.Wall, TimeSpan.Zero);
        await writer.SaveAsync(Notice(2027, "2027.1"));

        var first = await store.GetAsync();
        Assert.True(first.Calendar.HasNotice(2027));
        Assert.Same(first, await store.GetAsync()); // cached

        time.Advance(TimeSpan.FromSeconds(61));
        var unchanged = await store.GetAsync();
        Assert.Same(first.Calendar.Notices[2027], unchanged.Calendar.Notices[2027]); // same ETag: not downloaded again

        await writer.SaveAsync(Notice(2028, "2028.1"));
        time.Advance(TimeSpan.FromSeconds(61));
        var stale = await store.GetAsync(); // served at once from memory while the refresh reads storage
        Assert.False(stale.Calendar.HasNotice(2028));
        var refreshed = await store.RefreshAsync();
        Assert.True(refreshed.Calendar.HasNotice(2028));
        Assert.Same(first.Calendar.Notices[2027], refreshed.Calendar.Notices[2027]);
    }
}
