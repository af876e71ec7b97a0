using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Supervision.Testing;

namespace Supervision.Runtime.Tests;

/// <summary>Pure checks, no storage: the transaction guard Azurite does not enforce, and the key encodings.</summary>
public sealed class GuardAndKeyTests
{
    private static TableTransactionAction Add(string pk, string rk) => new(TableTransactionActionType.Add, new TableEntity(pk, rk));

    [Fact]
    public void Guard_rejects_a_transaction_across_two_partitions()
    {
        var e = Assert.Throws<InvalidOperationException>(() => TransactionGuard.Validate([Add("a", "1"), Add("b", "1")]));
        Assert.Contains("one partition", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Guard_rejects_more_than_100_actions_and_accepts_100()
    {
        TransactionGuard.Validate(Enumerable.Range(0, 100).Select(i => Add("p", i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture))).ToList());
        Assert.Throws<InvalidOperationException>(() =>
            TransactionGuard.Validate(Enumerable.Range(0, 101).Select(i => Add("p", i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture))).ToList()));
    }

    [Fact]
    public void Guard_rejects_the_same_row_twice_and_an_empty_batch()
    {
        Assert.Throws<InvalidOperationException>(() => TransactionGuard.Validate([Add("p", "1"), Add("p", "1")]));
        Assert.Throws<InvalidOperationException>(() => TransactionGuard.Validate([]));
    }

    [Theory]
    [InlineData("XF-2026-000123")]
    [InlineData("a/b\\c#d?e|f%g'h")]
    [InlineData("信访事项\u0001")]
    public void Escaped_ids_hold_no_forbidden_characters_and_round_trip(string id)
    {
        var escaped = Keys.Escape(id);
        Assert.DoesNotContain(escaped, c => c is '/' or '\\' or '#' or '?' or '|' or '\'' || char.IsControl(c));
        Assert.Equal(id, Keys.Unescape(escaped));
    }

    [Fact]
    public void Wake_up_keys_bucket_by_minute_shard_by_instance_and_sort_by_due_time()
    {
        var index = new WakeUpIndex(null!, Options.Create(new RuntimeOptions { WakeUpShards = 8 }));
        var due = new DateTimeOffset(2026, 5, 31, 23, 59, 30, TimeSpan.Zero).UtcTicks;
        var a = index.Create("timer", "case", "XF-1", "due", 3, due, 7);
        var b = index.Create("timer", "case", "XF-1", "due", 3, due + TimeSpan.TicksPerSecond, 7);
        Assert.StartsWith("202605312359|", a.PartitionKey, StringComparison.Ordinal);
        Assert.Equal(a.PartitionKey, b.PartitionKey);
        Assert.True(string.CompareOrdinal(a.RowKey, b.RowKey) < 0);
        Assert.EndsWith("|case|XF-1|due|3|7", a.RowKey, StringComparison.Ordinal);

        // Many instances due in the same minute spread over all shards.
        var shards = Enumerable.Range(0, 1000).Select(i => index.Create("timer", "case", "XF-" + i, "due", 1, due, 1).PartitionKey).Distinct().Count();
        Assert.Equal(8, shards);
    }

    [Theory]
    [InlineData("table", "POST", "/devstoreaccount1/$batch", "batch")]
    [InlineData("table", "GET", "/devstoreaccount1/t(PartitionKey='a',RowKey='s')", "get")]
    [InlineData("table", "GET", "/devstoreaccount1/t()", "query")]
    [InlineData("table", "PUT", "/devstoreaccount1/t(PartitionKey='a',RowKey='s')", "upsert")]
    [InlineData("queue", "POST", "/devstoreaccount1/q/messages", "send")]
    [InlineData("queue", "GET", "/devstoreaccount1/q/messages", "receive")]
    [InlineData("queue", "DELETE", "/devstoreaccount1/q/messages/123", "delete")]
    public void Storage_requests_are_classified_by_operation(string service, string method, string path, string expected) =>
        Assert.Equal(expected, StorageRequestCounter.Classify(service, method, path));

    [Fact]
    public void The_scaled_clock_runs_one_simulated_day_per_real_second_and_keeps_timers_real()
    {
        var real = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var start = new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
        var scaled = new ScaledTimeProvider(start, 86_400, real);
        Assert.Equal(start, scaled.GetUtcNow());
        real.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal(start.AddDays(1.5), scaled.GetUtcNow());

        var fired = false;
        using var timer = scaled.CreateTimer(_ => fired = true, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        real.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(fired);
        real.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(fired);
    }

    [Fact]
    public void Names_honour_the_prefix() =>
        Assert.Equal("t1-work-items", new RuntimeOptions { Prefix = "t1" }.WorkQueueName + TestStorage.RunId[..0]);
}
