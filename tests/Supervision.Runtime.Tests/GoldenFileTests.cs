using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using NodaTime;
using Supervision.Runtime.TestKit;
using Supervision.Testing;

namespace Supervision.Runtime.Tests;

/// <summary>
/// Stored rows are a contract with every instance still open (STYLE.md "Golden files"). TestData/format-v1 holds the
/// rows of one instance as format version 1 wrote them: they must still load and fold to the same state, and today's
/// writer must still write exactly them. Regenerate only for a deliberate new format version:
/// SUPERVISION_REGENERATE_GOLDEN=1 dotnet test --filter GoldenFileTests (then review the diff).
/// </summary>
public sealed class GoldenFileTests
{
    private const string InstanceId = "golden-1";
    private static readonly string[] Volatile = ["UpdatedAt", "RecordedAt", "DeliveredAt"];

    private static string GoldenPath(bool source) => source
        ? Path.Combine(TestStorage.RepoRoot(), "tests", "Supervision.Runtime.Tests", "TestData", "format-v1", "deadline-instance.json")
        : Path.Combine(AppContext.BaseDirectory, "TestData", "format-v1", "deadline-instance.json");

    /// <summary>The v1 scenario: set a deadline, ping, let the timer fire.</summary>
    private static async Task WriteScenarioAsync(RuntimeHarness h)
    {
        await h.SendAsync(InstanceId, new SetDeadline(Instant.FromUtc(2026, 4, 1, 8, 0), 1), "m1");
        await h.SendAsync(InstanceId, new Ping(5), "m2");
        h.Clock.SetUtcNow(new DateTimeOffset(2026, 4, 1, 8, 0, 20, TimeSpan.Zero));
        await h.DrainAsync();
    }

    private static async Task<JsonArray> DumpAsync(RuntimeHarness h)
    {
        var table = await h.Storage.InstancesAsync();
        var rows = new JsonArray();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Keys.InstancePartition(DeadlineDecider.Type, InstanceId)}")))
        {
            var props = new JsonObject();
            foreach (var (name, value) in e.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                if (name is "PartitionKey" or "RowKey" or "Timestamp" or "odata.etag" || Volatile.Contains(name))
                {
                    continue;
                }

                props[name] = value switch
                {
                    int i => new JsonObject { ["Int32"] = i },
                    long l => new JsonObject { ["Int64"] = l.ToString(CultureInfo.InvariantCulture) },
                    DateTimeOffset t => new JsonObject { ["DateTime"] = t.ToString("O", CultureInfo.InvariantCulture) },
                    string s => new JsonObject { ["String"] = s },
                    _ => throw new InvalidOperationException($"unexpected property type {value?.GetType().Name}"),
                };
            }

            rows.Add(new JsonObject { ["PartitionKey"] = e.PartitionKey, ["RowKey"] = e.RowKey, ["Properties"] = props });
        }

        return rows;
    }

    private static TableEntity ToEntity(JsonNode row)
    {
        var e = new TableEntity(row["PartitionKey"]!.GetValue<string>(), row["RowKey"]!.GetValue<string>());
        foreach (var (name, typed) in row["Properties"]!.AsObject())
        {
            var (type, v) = typed!.AsObject().Single();
            e[name] = type switch
            {
                "Int32" => v!.GetValue<int>(),
                "Int64" => long.Parse(v!.GetValue<string>(), CultureInfo.InvariantCulture),
                "DateTime" => DateTimeOffset.Parse(v!.GetValue<string>(), CultureInfo.InvariantCulture),
                _ => v!.GetValue<string>(),
            };
        }

        return e;
    }

    [Fact]
    public async Task Todays_writer_still_writes_format_1_rows_exactly()
    {
        using var h = await RuntimeHarness.CreateAsync();
        await WriteScenarioAsync(h);
        var written = (await DumpAsync(h)).ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
        if (Environment.GetEnvironmentVariable("SUPERVISION_REGENERATE_GOLDEN") == "1")
        {
            await File.WriteAllTextAsync(GoldenPath(source: true), written);
        }

        Assert.Equal(await File.ReadAllTextAsync(GoldenPath(source: false)), written);
    }

    [Fact]
    public async Task Format_1_rows_still_load_and_fold_to_the_stored_state()
    {
        using var h = await RuntimeHarness.CreateAsync();
        var golden = JsonNode.Parse(await File.ReadAllTextAsync(GoldenPath(source: false)))!.AsArray();
        var table = await h.Storage.InstancesAsync();
        foreach (var row in golden)
        {
            await table.AddEntityAsync(ToEntity(row!));
        }

        var snapshot = await h.StateAsync(InstanceId);
        var expected = new DeadlineState("fired", Instant.FromUtc(2026, 4, 1, 8, 0), 1, null, 1, 1, 5, 0);
        Assert.Equal(expected, snapshot);

        var decider = new DeadlineDecider();
        var folded = decider.Initial;
        var events = await h.Ops.ListEventsAsync(DeadlineDecider.Type, InstanceId);
        foreach (var e in events)
        {
            folded = decider.Evolve(folded, JsonSerializer.Deserialize<DeadlineEvent>(e.Data, DeadlineDecider.Json)!);
        }

        Assert.Equal(expected, folded);
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 8, 0, 0, TimeSpan.Zero), events.Single(e => e.EventType == nameof(DeadlineFired)).At);

        // The loaded instance is live: a redelivered message is a duplicate, a new one appends at sequence 4.
        Assert.Equal(ExecutionStatus.Duplicate, (await h.SendAsync(InstanceId, new Ping(5), "m2")).Status);
        Assert.Equal(4, (await h.SendAsync(InstanceId, new Ping(1), "m3")).Version);
    }

    [Fact]
    public async Task A_row_of_an_unknown_format_version_is_refused_not_misread()
    {
        using var h = await RuntimeHarness.CreateAsync();
        var table = await h.Storage.InstancesAsync();
        await table.AddEntityAsync(new TableEntity(Keys.InstancePartition(DeadlineDecider.Type, "future"), Keys.SnapshotRow) { ["Format"] = 2, ["State"] = "{}" });
        await Assert.ThrowsAsync<NotSupportedException>(() => h.StateAsync("future"));
    }
}
