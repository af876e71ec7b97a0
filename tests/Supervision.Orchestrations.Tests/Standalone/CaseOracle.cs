using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using NodaTime;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;

namespace Supervision.Orchestrations.Tests.Standalone;

/// <summary>
/// What the pure decider says a case's audit trail must be. The recorded inputs (the commands, in the order the
/// orchestration decided them, at their recorded instants, and the timer firings) are replayed through
/// <see cref="CaseDecider.Demo"/>, checking at each step that:
/// <list type="bullet">
/// <item>the events recorded for the input are exactly the ones the decider produces (type and data);</item>
/// <item>a timer firing is one the decider lists as pending at that point, at its due instant (a duplicate or stale
/// firing is not pending any more);</item>
/// <item>no timer due at or before a command's instant is still pending when the command is decided;</item>
/// </list>
/// and at the end that no timer due by <c>until</c> is still pending (none missing). It also lists the effects
/// (alerts with their audiences, read-model writes) the events imply, with their deterministic ids.
/// </summary>
public static class CaseOracle
{
    public sealed record Expected(
        CaseState State, long Version, IReadOnlyList<(string AlertId, string Role, string Unit)> Alerts, IReadOnlyList<string> EffectIds,
        (string Partition, long Version)? Row, int TimerEvents, IReadOnlyList<(string Type, string InstanceId)> Sent,
        IReadOnlyDictionary<(string Partition, string Row, string Counter), long> Counters);

    public static Expected Check(string caseId, string matterKey, IReadOnlyList<StoredEvent> trail, Instant until)
    {
        var decider = CaseDecider.Demo;
        var state = decider.Initial;
        long seq = 0;
        var alerts = new List<(string, string, string)>();
        var effectIds = new List<string>();
        (string, long)? row = null;
        var timerEvents = 0;
        var sent = new List<(string, string)>();
        var counters = new Dictionary<(string, string, string), long>();
        var inputs = trail.OrderBy(e => e.Sequence).GroupBy(e => e.CommandId).Select(g => g.ToList()).ToList();
        Assert.Equal(inputs.Count, trail.Select(e => e.CommandId).Distinct().Count()); // one decision per command id, contiguous
        foreach (var recorded in inputs)
        {
            var first = recorded[0];
            var at = Instant.FromDateTimeOffset(first.At);
            CaseCommand command;
            if (first.CommandId.StartsWith("timer:", StringComparison.Ordinal))
            {
                var parts = first.CommandId.Split(':');
                var (key, generation, ticks) = (parts[1] + ":" + parts[2], int.Parse(parts[3], CultureInfo.InvariantCulture), long.Parse(parts[4], CultureInfo.InvariantCulture));
                var pending = decider.Timers(state);
                var timer = pending.SingleOrDefault(t => t.Key == key && t.Generation == generation);
                Assert.True(timer is not null, $"{caseId}: timer {first.CommandId} fired but was not pending (duplicate or stale)");
                Assert.Equal(timer!.DueAt, at);
                Assert.Equal(timer.DueAt.ToUnixTimeTicks(), ticks);
                Assert.DoesNotContain(pending, t => t.DueAt < timer.DueAt);
                command = decider.OnTimer(new TimerFired(timer.Key, timer.Generation, timer.DueAt));
                timerEvents += recorded.Count;
            }
            else
            {
                Assert.DoesNotContain(decider.Timers(state), t => t.DueAt <= at);
                command = Reconstruct(caseId, matterKey, first);
            }

            var decision = decider.Decide(state, command, new DecisionContext(caseId, first.CommandId, at, first.Actor));
            Assert.Null(decision.Rejection);
            Assert.Equal(recorded.Select(e => e.EventType), decision.Events.Select(e => e.GetType().Name));
            foreach (var (decided, stored) in decision.Events.Zip(recorded))
            {
                var e = WithRecordedQueryCodeHash(decided, stored);
                Assert.Equal(stored.Data, JsonSerializer.Serialize(e, CaseJson.Options));
                var after = decider.Evolve(state, e);
                seq++;
                Assert.Equal(seq, stored.Sequence);
                var effects = decider.Effects(state, e, after, new EffectContext(caseId, seq, at));
                for (var i = 0; i < effects.Count; i++)
                {
                    var id = $"{CaseDecider.Type}/{caseId}/{seq}/{i}";
                    effectIds.Add(id);
                    switch (effects[i])
                    {
                        case RaiseAlert a:
                            alerts.AddRange(a.Alert.To.Select(t => (id, t.Role, t.UnitId)));
                            break;
                        case UpsertReadModel u when u.Model == CaseRow.Model:
                            row = (u.PartitionKey, u.Version); // the case row (the petitions rows are upserts too)
                            break;
                        case UpsertReadModel:
                            break;
                        case BumpCounters b:
                            foreach (var (rowKey, deltas) in b.Counters)
                            {
                                foreach (var (name, delta) in deltas)
                                {
                                    counters[(b.PartitionKey, rowKey, name)] = counters.GetValueOrDefault((b.PartitionKey, rowKey, name)) + delta;
                                }
                            }

                            break;
                        case DeleteReadModel:
                            break;
                        case SendMessage m:
                            sent.Add((m.TargetType, m.TargetInstanceId)); // a red clock's 督办单 (RaiseTicket)
                            break;
                        default:
                            throw new InvalidOperationException($"unexpected effect {effects[i].GetType().Name}");
                    }
                }

                state = after;
            }
        }

        var missing = decider.Timers(state).Where(t => t.DueAt <= until).ToList();
        Assert.True(missing.Count == 0, $"{caseId}: timers due by {until} never fired: {string.Join(", ", missing)}");
        return new Expected(state, seq, alerts, effectIds, row, timerEvents, sent, counters);
    }

    /// <summary>
    /// The query code and its salt are random per case and never stored (only the salted hash is), so the oracle cannot
    /// recompute the hash. It checks the recorded event holds a salted PBKDF2 hash and no plain code, takes that hash,
    /// and still compares every other field.
    /// </summary>
    private static CaseEvent WithRecordedQueryCodeHash(CaseEvent decided, StoredEvent stored)
    {
        if (decided is not CaseRegistered registered)
        {
            return decided;
        }

        var recorded = Assert.IsType<CaseRegistered>(JsonSerializer.Deserialize<CaseEvent>(stored.Data, CaseJson.Options));
        Assert.Null(recorded.QueryCode);
        Assert.Matches(@"^pbkdf2-sha256\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$", recorded.QueryCodeHash ?? string.Empty);
        return registered with { QueryCodeHash = recorded.QueryCodeHash };
    }

    /// <summary>The command a recorded decision came from (the load sends only these three).</summary>
    private static CaseCommand Reconstruct(string caseId, string matterKey, StoredEvent first) => JsonSerializer.Deserialize<CaseEvent>(first.Data, CaseJson.Options) switch
    {
        CaseRegistered r => new RegisterCase(
            r.By, r.CaseId, r.QueryCodeHash, r.Channel, r.ReceivedAt, r.UnitId, r.Petitioner, r.Summary, matterKey, r.GroupSize,
            r.Representatives, r.Category, r.AccusedUnitId, r.AccusedPersonId),
        CaseRouted r => new RouteCase(r.By, r.Kind, r.AgencyId, r.AssignedDueDate, r.ReportRequired),
        CaseAccepted a => new AcceptCase(a.By, a.Mode, a.NoticeSent),
        var other => throw new InvalidOperationException($"{caseId}: no command known for {other?.GetType().Name}"),
    };

    /// <summary>Mailbox rows as (alert id, role, unit), every one of them (duplicates would show twice).</summary>
    public static async Task<IReadOnlyList<(string AlertId, string Role, string Unit)>> MailboxAsync(OrchestrationStorage storage)
    {
        var table = await storage.MailboxAsync();
        var rows = new List<(string, string, string)>();
        await foreach (var e in table.QueryAsync<TableEntity>())
        {
            rows.Add((e.GetString("AlertId") ?? "", e.GetString("Role") ?? "", e.GetString("UnitId") ?? ""));
        }

        return rows;
    }

    /// <summary>The analysis aggregates' counters as stored (markers and hot-matter mirrors left out), zeros dropped.</summary>
    public static async Task<IReadOnlyDictionary<(string Partition, string Row, string Counter), long>> CountersAsync(OrchestrationStorage storage)
    {
        var table = await storage.ReadModelAsync(AnalysisCounters.Model);
        var found = new Dictionary<(string, string, string), long>();
        await foreach (var e in table.QueryAsync<TableEntity>())
        {
            if (e.RowKey.StartsWith("x|", StringComparison.Ordinal) || e.RowKey.StartsWith("t|", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var (k, v) in e)
            {
                if (v is long n && n != 0)
                {
                    found[(e.PartitionKey, e.RowKey, k)] = n;
                }
            }
        }

        return found;
    }

    /// <summary>Rows of the cases read model: (partition, case id) → version.</summary>
    public static async Task<IReadOnlyList<(string Partition, string CaseId, long Version)>> CaseRowsAsync(OrchestrationStorage storage)
    {
        var table = await storage.ReadModelAsync(CaseRow.Model);
        var rows = new List<(string, string, long)>();
        await foreach (var e in table.QueryAsync<TableEntity>())
        {
            rows.Add((e.PartitionKey, e.RowKey, e.GetInt64(ReadModelWriter.VersionProperty) ?? -1));
        }

        return rows;
    }
}
