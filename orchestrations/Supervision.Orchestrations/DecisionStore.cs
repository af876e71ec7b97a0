using System.Globalization;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace Supervision.Orchestrations;

/// <summary>An event as stored in the audit trail (留痕).</summary>
public sealed record StoredEvent(long Sequence, string EventType, string Data, string CommandId, string Actor, DateTimeOffset At, DateTimeOffset RecordedAt);

/// <summary>How a command ended, as the API reads it back.</summary>
public sealed record CommandOutcome(string CommandId, CommandStatus Status, long Version, RejectionData? Rejection, string Actor, DateTimeOffset At);

/// <summary>What a lean decision is based on: the snapshot (absent: version 0, no state) and the command's outcome if recorded.</summary>
public sealed record DecisionBase(long Version, string? StateJson, ETag? ETag, RecordedAnswer? Recorded);

/// <summary>A command's recorded outcome as the decide activity reads it (<see cref="Answer"/> is null for a legacy-format outcome).</summary>
public sealed record RecordedAnswer(CommandStatus Status, DecideAnswer? Answer);

/// <summary>The payload of an effect, as a lean decision stored it.</summary>
public sealed record StoredEffect(string Id, string Kind, string Data, DateTimeOffset At);

/// <summary>The latest recorded state of an instance.</summary>
public sealed record InstanceSnapshot(string Type, string InstanceId, long Version, string StateJson);

/// <summary>
/// What the <see cref="ActivityNames.RecordDecision"/> activity writes and the API reads: one partition per instance
/// (<c>{type}|{instanceId}</c>) holding the state snapshot (<c>s</c>), the events (<c>e|{seq:D19}</c>, append-only: the
/// audit trail) and one outcome row per decided command (<c>c|{commandId}</c>, rejections included, so a command that
/// lost a race shows in the timeline). A decision is written as one entity-group transaction, guarded by the
/// snapshot's version, so a re-executed activity changes nothing. The snapshot is also rebuildable from the
/// orchestration's own state (its input after <c>ContinueAsNew</c> carries the folded state).
/// </summary>
public sealed class DecisionStore(OrchestrationStorage storage, TimeProvider clock)
{
    public const string SnapshotRow = "s";
    public const string EventPrefix = "e|";
    public const string OutcomePrefix = "c|";
    public const string EffectPrefix = "f|";

    // Azure caps a string property at 32 K UTF-16 characters; larger snapshots are split across numbered properties.
    private const int Chunk = 30_000;

    public static string Partition(string type, string instanceId) => Keys.InstancePartition(type, instanceId);

    /// <summary>
    /// Whether an id can name an instance at all: Table keys hold at most 1 KiB, and ids this service makes are short. A
    /// client's absurd id (a fuzzer's megabyte) is simply not found, rather than a storage error.
    /// </summary>
    public static bool Addressable(string type, string instanceId) => instanceId.Length is > 0 and <= 200 && Partition(type, instanceId).Length <= 512;

    public static string EventRow(long sequence) => EventPrefix + sequence.ToString("D19", CultureInfo.InvariantCulture);

    public static string OutcomeRow(string commandId) => OutcomePrefix + Keys.Escape(commandId);

    /// <summary>The payload of an effect a lean decision implied (send or alert), kept with the decision.</summary>
    public static string EffectRow(string effectId) => EffectPrefix + Keys.Escape(effectId);

    private static readonly System.Text.Json.JsonSerializerOptions AnswerJson = new(System.Text.Json.JsonSerializerDefaults.Web);

    /// <summary>
    /// What the lean <see cref="ActivityNames.Decide"/> activity reads before deciding, in <b>one</b> request (a query for
    /// the two rows of the instance's partition): the snapshot (state of record, its version and ETag) and the outcome
    /// row of the command, if it was decided already.
    /// </summary>
    public async Task<DecisionBase> LoadBaseAsync(string type, string instanceId, string commandId, CancellationToken ct)
    {
        var table = await storage.InstancesAsync();
        var pk = Partition(type, instanceId);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {pk} and (RowKey eq {SnapshotRow} or RowKey eq {OutcomeRow(commandId)})");
        TableEntity? snapshot = null;
        TableEntity? outcome = null;
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            if (e.RowKey == SnapshotRow)
            {
                snapshot = e;
            }
            else
            {
                outcome = e;
            }
        }

        RecordedAnswer? recorded = null;
        if (outcome is not null)
        {
            var o = ToOutcome(outcome);
            recorded = new RecordedAnswer(o.Status, outcome.GetString("Answer") is { } json ? System.Text.Json.JsonSerializer.Deserialize<DecideAnswer>(json, AnswerJson) : null);
        }

        return snapshot is null
            ? new DecisionBase(0, null, null, recorded)
            : new DecisionBase(snapshot.GetInt64("Version") ?? 0, Join(snapshot, "State"), snapshot.ETag, recorded);
    }

    /// <summary>
    /// Records one lean decision in one entity-group transaction: the outcome row (with the activity's answer, added: a
    /// second recording of the same command conflicts), and when applied the snapshot (guarded by the ETag it was decided
    /// on), the events and the payloads of the effects to run. False when another writer came first (409/412): the caller
    /// reads again and finds the recorded answer.
    /// </summary>
    public async Task<bool> RecordLeanAsync(DecisionRecord d, DecideAnswer answer, ETag? basedOn, CancellationToken ct)
    {
        var table = await storage.InstancesAsync();
        var pk = Partition(d.Type, d.InstanceId);
        var now = clock.GetUtcNow();
        var outcome = Outcome(pk, d, now);
        outcome["Answer"] = System.Text.Json.JsonSerializer.Serialize(answer, AnswerJson);
        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.Add, outcome) };
        if (d.Status == CommandStatus.Applied)
        {
            var s = Snapshot(pk, d, now);
            actions.Add(basedOn is { } etag
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, s, etag)
                : new TableTransactionAction(TableTransactionActionType.Add, s));
            foreach (var e in d.Events)
            {
                actions.Add(new(TableTransactionActionType.Add, EventEntity(pk, d, e, now)));
            }

            foreach (var effect in d.Effects.Where(e => !EffectKinds.IsReadModel(e.Kind)))
            {
                var row = new TableEntity(pk, EffectRow(effect.Id)) { ["EffectId"] = effect.Id, ["Kind"] = effect.Kind, ["At"] = d.At };
                Split(row, "Data", effect.Data);
                actions.Add(new(TableTransactionActionType.UpsertReplace, row));
            }
        }

        TransactionGuard.Validate(actions);
        try
        {
            await table.SubmitTransactionAsync(actions, ct);
            return true;
        }
        catch (TableTransactionFailedException e) when (e.Status is 409 or 412)
        {
            return false;
        }
    }

    /// <summary>The stored payload of an effect of a lean decision.</summary>
    public async Task<StoredEffect> GetEffectAsync(string type, string instanceId, string effectId, CancellationToken ct)
    {
        var table = await storage.InstancesAsync();
        var r = await table.GetEntityIfExistsAsync<TableEntity>(Partition(type, instanceId), EffectRow(effectId), cancellationToken: ct);
        return r.HasValue && r.Value is { } e
            ? new StoredEffect(effectId, e.GetString("Kind") ?? "", Join(e, "Data"), e.GetDateTimeOffset("At") ?? default)
            : throw new InvalidOperationException($"No stored effect '{effectId}' of {type} {instanceId}.");
    }

    private static void Split(TableEntity e, string name, string text)
    {
        for (var i = 0; i * Chunk < text.Length; i++)
        {
            e[name + i.ToString(CultureInfo.InvariantCulture)] = text.Substring(i * Chunk, Math.Min(Chunk, text.Length - (i * Chunk)));
        }
    }

    private static string Join(TableEntity e, string name)
    {
        var text = new StringBuilder();
        for (var i = 0; e.GetString(name + i.ToString(CultureInfo.InvariantCulture)) is { } part; i++)
        {
            text.Append(part);
        }

        return text.ToString();
    }

    /// <summary>Records one decision (idempotent: a decision already recorded, or an older one, writes nothing new).</summary>
    public async Task RecordAsync(DecisionRecord d, CancellationToken ct)
    {
        var table = await storage.InstancesAsync();
        var pk = Partition(d.Type, d.InstanceId);
        var now = clock.GetUtcNow();
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var snapshot = await table.GetEntityIfExistsAsync<TableEntity>(pk, SnapshotRow, cancellationToken: ct);
            var stored = snapshot.HasValue && snapshot.Value is { } row ? row.GetInt64("Version") ?? 0 : 0;
            var actions = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.UpsertReplace, Outcome(pk, d, now)),
            };
            if (d.Status == CommandStatus.Applied && d.VersionAfter > stored)
            {
                var s = Snapshot(pk, d, now);

                actions.Add(snapshot.HasValue && snapshot.Value is { } existing
                    ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, s, existing.ETag)
                    : new TableTransactionAction(TableTransactionActionType.Add, s));
                foreach (var e in d.Events.Where(e => e.Sequence > stored))
                {
                    actions.Add(new(TableTransactionActionType.UpsertReplace, EventEntity(pk, d, e, now)));
                }
            }

            TransactionGuard.Validate(actions);
            try
            {
                await table.SubmitTransactionAsync(actions, ct);
                return;
            }
            catch (TableTransactionFailedException e) when (e.Status is 409 or 412)
            {
                // A re-executed activity raced its first run: read again; the version guard makes the retry a no-op.
            }
        }

        throw new InvalidOperationException($"Recording a decision of {d.Type} {d.InstanceId} kept conflicting.");
    }

    /// <summary>The instance's snapshot row after <paramref name="d"/>: its version and state, split into property-sized chunks.</summary>
    private static TableEntity Snapshot(string pk, DecisionRecord d, DateTimeOffset now)
    {
        var s = new TableEntity(pk, SnapshotRow) { ["Type"] = d.Type, ["InstanceId"] = d.InstanceId, ["Version"] = d.VersionAfter, ["UpdatedAt"] = now };
        Split(s, "State", d.StateAfter);
        return s;
    }

    /// <summary>One event row of the legal record: the event, the command that caused it, who and when.</summary>
    private static TableEntity EventEntity(string pk, DecisionRecord d, RecordedEvent e, DateTimeOffset now) => new(pk, EventRow(e.Sequence))
    {
        ["Sequence"] = e.Sequence,
        ["EventType"] = e.Type,
        ["Data"] = e.Data,
        ["CommandId"] = d.CommandId,
        ["Actor"] = d.Actor,
        ["At"] = d.At,
        ["RecordedAt"] = now,
    };

    private static TableEntity Outcome(string pk, DecisionRecord d, DateTimeOffset now) => new(pk, OutcomeRow(d.CommandId))
    {
        ["CommandId"] = d.CommandId,
        ["Status"] = d.Status.ToString(),
        ["Version"] = d.VersionAfter,
        ["Actor"] = d.Actor,
        ["At"] = d.At,
        ["RecordedAt"] = now,
        ["RejectionKind"] = d.Rejection?.Kind,
        ["RejectionCommand"] = d.Rejection?.Command,
        ["RejectionFrom"] = d.Rejection?.From,
        ["RejectionTo"] = d.Rejection?.To,
        ["Reason"] = d.Rejection?.Reason,
    };

    public async Task<InstanceSnapshot?> GetAsync(string type, string instanceId, CancellationToken ct = default)
    {
        if (!Addressable(type, instanceId))
        {
            return null;
        }

        var table = await storage.InstancesAsync();
        var r = await table.GetEntityIfExistsAsync<TableEntity>(Partition(type, instanceId), SnapshotRow, cancellationToken: ct);
        if (!r.HasValue || r.Value is not { } e)
        {
            return null;
        }

        return new InstanceSnapshot(type, instanceId, e.GetInt64("Version") ?? 0, Join(e, "State"));
    }

    public async Task<CommandOutcome?> GetOutcomeAsync(string type, string instanceId, string commandId, CancellationToken ct = default)
    {
        if (!Addressable(type, instanceId) || commandId.Length > 200)
        {
            return null;
        }

        var table = await storage.InstancesAsync();
        var r = await table.GetEntityIfExistsAsync<TableEntity>(Partition(type, instanceId), OutcomeRow(commandId), cancellationToken: ct);
        return r.HasValue && r.Value is { } e ? ToOutcome(e) : null;
    }

    /// <summary>The audit trail in sequence order.</summary>
    public async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(string type, string instanceId, CancellationToken ct = default)
    {
        if (!Addressable(type, instanceId))
        {
            return [];
        }

        var table = await storage.InstancesAsync();
        var events = new List<StoredEvent>();
        await foreach (var e in table.QueryAsync<TableEntity>(Keys.PrefixFilter(Partition(type, instanceId), EventPrefix), cancellationToken: ct))
        {
            events.Add(new StoredEvent(
                e.GetInt64("Sequence") ?? 0, e.GetString("EventType") ?? "", e.GetString("Data") ?? "null",
                e.GetString("CommandId") ?? "", e.GetString("Actor") ?? "", e.GetDateTimeOffset("At") ?? default,
                e.GetDateTimeOffset("RecordedAt") ?? default));
        }

        return events;
    }

    /// <summary>Commands refused inside the orchestration (e.g. lost a race), for the timeline.</summary>
    public async Task<IReadOnlyList<CommandOutcome>> ReadRejectionsAsync(string type, string instanceId, CancellationToken ct = default)
    {
        if (!Addressable(type, instanceId))
        {
            return [];
        }

        var table = await storage.InstancesAsync();
        var rows = new List<CommandOutcome>();
        await foreach (var e in table.QueryAsync<TableEntity>(Keys.PrefixFilter(Partition(type, instanceId), OutcomePrefix), cancellationToken: ct))
        {
            if (e.GetString("Status") == nameof(CommandStatus.Rejected))
            {
                rows.Add(ToOutcome(e));
            }
        }

        return rows;
    }

    /// <summary>Every instance of a type with its version (for read-model rebuilds); a full scan of snapshot rows.</summary>
    public async IAsyncEnumerable<(string InstanceId, long Version)> ListAsync(string type, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.InstancesAsync();
        var prefix = Keys.Escape(type) + "|";
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {Keys.PrefixEnd(prefix)} and RowKey eq {SnapshotRow}");
        await foreach (var e in table.QueryAsync<TableEntity>(filter, select: ["InstanceId", "Version"], cancellationToken: ct))
        {
            yield return (e.GetString("InstanceId") ?? "", e.GetInt64("Version") ?? 0);
        }
    }

    private static CommandOutcome ToOutcome(TableEntity e) => new(
        e.GetString("CommandId") ?? "",
        Enum.TryParse<CommandStatus>(e.GetString("Status"), out var s) ? s : CommandStatus.Unchanged,
        e.GetInt64("Version") ?? 0,
        e.GetString("RejectionKind") is { } kind
            ? new RejectionData(kind, e.GetString("RejectionCommand") ?? "", e.GetString("RejectionFrom") ?? "", e.GetString("Reason") ?? "", e.GetString("RejectionTo"))
            : null,
        e.GetString("Actor") ?? "",
        e.GetDateTimeOffset("At") ?? default);
}
