using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using NodaTime;
using Supervision.Domain.Cases;
using Supervision.Orchestrations.Tests.Harness;
using Supervision.Testing;

namespace Supervision.Orchestrations.Tests;

/// <summary>
/// The lean turn (docs/decisions.md E13): the <see cref="ActivityNames.Decide"/> activity is idempotent (Durable Task runs
/// an activity at least once), and the history of a lifecycle stays small.
/// </summary>
public sealed class LeanTurnTests
{
    [Fact]
    public async Task A_re_executed_decide_activity_writes_nothing_and_returns_the_same_answer()
    {
        await using var h = await CaseHarness.StartAsync();
        var id = $"XF-T-{TestStorage.RunId}-lean-{Guid.NewGuid():N}"[..40];
        var register = h.Envelope(CaseHarness.Register(id, "1999999999", Instant.FromDateTimeOffset(h.Now)));
        var first = await h.Activities.DecideAsync(new DecideRequest(CaseDecider.Type, id, 0, Command: register));
        Assert.Equal(CommandStatus.Applied, first.Status);
        Assert.NotNull(first.Next);

        // The same activity again (a worker that died after it ran, before its result was checkpointed).
        var before = await WrittenAsync(h, id);
        var again = await h.Activities.DecideAsync(new DecideRequest(CaseDecider.Type, id, 0, Command: register));
        Assert.Equal(Json(first), Json(again));
        Assert.Equal(before, await WrittenAsync(h, id));

        // A later decision sends an alert: re-executing it answers the same, effects included, and still writes nothing.
        var route = h.Envelope(new RouteCase("c-registrar", RoutingKind.Forward, "c-housing"));
        var routed = await h.Activities.DecideAsync(new DecideRequest(CaseDecider.Type, id, first.Version, Command: route));
        Assert.Equal(CommandStatus.Applied, routed.Status);
        Assert.Contains(routed.ToRun(), e => e.Kind == EffectKinds.Alert);
        before = await WrittenAsync(h, id);
        Assert.Equal(Json(routed), Json(await h.Activities.DecideAsync(new DecideRequest(CaseDecider.Type, id, first.Version, Command: route))));
        Assert.Equal(before, await WrittenAsync(h, id));

        // A stale duplicate of the first (delivered after the route was decided) is not decided again and runs nothing.
        var stale = await h.Activities.DecideAsync(new DecideRequest(CaseDecider.Type, id, 0, Command: register));
        Assert.Equal(CommandStatus.Applied, stale.Status);
        Assert.Equal(routed.Version, stale.Version);
        Assert.Empty(stale.ToRun());
        Assert.Equal(before, await WrittenAsync(h, id));

        // The stored effect payload is what the alert activity delivers.
        var alert = routed.ToRun().First(e => e.Kind == EffectKinds.Alert);
        var stored = await h.Store.GetEffectAsync(CaseDecider.Type, id, alert.Id, CancellationToken.None);
        Assert.Equal(EffectKinds.Alert, stored.Kind);
        Assert.Equal(route.At, stored.At);
        Assert.Equal("case.routed", EffectCodec.DecodeAlert(stored.Data).Kind);
    }

    /// <summary>Every row of the instance's partition with its ETag, and every read-model write attempt: what a decision writes.</summary>
    private static async Task<string> WrittenAsync(CaseHarness h, string id)
    {
        var table = await h.Storage.InstancesAsync();
        var rows = new List<string>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {DecisionStore.Partition(CaseDecider.Type, id)}")))
        {
            rows.Add(e.RowKey + "@" + e.ETag);
        }

        var log = await EffectLog.CountsAsync(h.Storage);
        rows.AddRange(log.Where(kv => kv.Key.Contains(id, StringComparison.Ordinal)).Select(kv => $"{kv.Key}x{kv.Value}"));
        return string.Join("\n", rows.Order(StringComparer.Ordinal));
    }

    private static string Json(DecideAnswer a) => JsonSerializer.Serialize(a);

    /// <summary>History bytes per decision of a recorded lifecycle: the history as the backend stores it, compact JSON.</summary>
    public static (long Bytes, int Turns) Measure(string file)
    {
        var golden = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", file)))!;
        var history = golden["history"]!.AsArray();
        var bytes = System.Text.Encoding.UTF8.GetByteCount(history.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        var turns = history.Count(e => (int)e!["EventType"]! == 4 && (string?)e["Name"] is ActivityNames.Decide or ActivityNames.RecordDecision);
        return (bytes, turns);
    }

    [Fact]
    public void A_lean_lifecycle_keeps_history_at_most_2_KB_per_turn_and_the_legacy_format_does_not()
    {
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Golden"), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var lean = files.Where(f => f!.EndsWith(".lean.json", StringComparison.Ordinal)).Select(f => Measure(f!)).ToList();
        var legacy = files.Where(f => f!.Split('.').Length == 2).Select(f => Measure(f!)).ToList();
        Assert.Equal(4, lean.Count);
        Assert.Equal(5, legacy.Count);

        // The same four lifecycles, recorded on the standalone host in each format.
        var leanPerTurn = lean.Sum(m => m.Bytes) / lean.Sum(m => m.Turns);
        var legacyPerTurn = legacy.Sum(m => m.Bytes) / legacy.Sum(m => m.Turns);
        Assert.True(leanPerTurn <= 2048, $"lean: {leanPerTurn} B per turn");
        Assert.True(legacyPerTurn > 4 * leanPerTurn, $"legacy: {legacyPerTurn} B per turn, lean {leanPerTurn}");
        Assert.All(legacy, m => Assert.True(m.Bytes / m.Turns > 2048, $"legacy {m.Bytes} B / {m.Turns} turns"));
    }
}
