using Azure;
using Azure.Data.Tables;
using Supervision.Domain.Orchestration;

namespace Supervision.Orchestrations;

/// <summary>
/// The activities every host registers (names in <see cref="ActivityNames"/>): the only code that touches storage or
/// the outside world on behalf of an orchestration. Each is idempotent by the deterministic id it is given, because
/// Durable Task runs an activity at least once (a crash after it ran, before its result was checkpointed, runs it again).
/// </summary>
public sealed class Activities(
    DecisionStore decisions, ReadModelWriter readModels, IAlertSink alerts, IAlertRouter router, IDurableEngine engine, OrchestrationStorage storage,
    StorageMetrics metrics, Clocks clocks)
{
    /// <summary>
    /// Records a decision and returns it unchanged (the orchestrator continues from the returned value). The read-model
    /// rows the decision implies are written first, then the events, snapshot and outcome: a client that got its answer
    /// (the API waits for the outcome) reads its own write in lists too. Each write is idempotent (version guards), so a
    /// re-executed activity changes nothing.
    /// </summary>
    public async Task<DecisionRecord> RecordDecisionAsync(DecisionRecord record, CancellationToken ct = default)
    {
        foreach (var effect in record.Effects.Where(e => EffectKinds.IsReadModel(e.Kind)))
        {
            await WriteReadModelAsync(effect, ct);
        }

        await decisions.RecordAsync(record, ct);
        metrics.Decision(record.Status.ToString().ToLowerInvariant());
        return record;
    }

    public async Task<bool> WriteReadModelAsync(EffectEnvelope effect, CancellationToken ct = default)
    {
        await LogAttemptAsync(effect.Id, effect.Kind, ct);
        return effect.Kind switch
        {
            EffectKinds.Upsert => await readModels.UpsertAsync(EffectCodec.DecodeUpsert(effect.Data), ct),
            EffectKinds.Delete => await readModels.DeleteAsync(EffectCodec.DecodeDelete(effect.Data), ct),
            _ => throw new InvalidOperationException($"'{effect.Kind}' is not a read-model effect."),
        };
    }

    /// <summary>
    /// Delivers one alert, or hands it to the instance that will (the router: the morning digest, or an alert instance
    /// that escalates it). A throttled delivery is not a failure: the outcome carries the receiver's <c>Retry-After</c>
    /// and the orchestration waits exactly that long on a durable timer before calling again.
    /// </summary>
    public async Task<AlertOutcome> DeliverAlertAsync(AlertDispatch dispatch, CancellationToken ct = default)
    {
        await LogAttemptAsync(dispatch.AlertId, EffectKinds.Alert, ct);
        var decided = EffectCodec.DecodeAlert(dispatch.Effect.Data);
        if (router.Route(dispatch, decided) is { } handOver)
        {
            await DeliverMessageAsync(handOver, ct);
            return AlertOutcome.Delivered;
        }

        // Worded at delivery, not when decided: an alert delivered after its deadline (an outage, a retry) must not say
        // "将于…届满" about a date already past (docs/decisions.md H7). Every sink gets the same words.
        var words = AlertText.Render(decided, NodaTime.Instant.FromDateTimeOffset(clocks.Legal.GetUtcNow()));
        var alert = decided with { Subject = words.Subject, Body = words.Body };
        try
        {
            await alerts.DeliverAsync(new AlertDelivery(dispatch.AlertId, dispatch.SourceType, dispatch.SourceInstanceId, alert), ct);
            return AlertOutcome.Delivered;
        }
        catch (AlertDeliveryThrottledException e) when (e.RetryAfter is { } after)
        {
            // Retry-After counts from the answer, on the receiver's (real) clock, whatever the legal clock's speed.
            var seconds = Math.Max(1, after.TotalSeconds);
            return new AlertOutcome(seconds, clocks.Real.GetUtcNow().UtcDateTime.AddSeconds(seconds));
        }
    }

    /// <summary>Sends a command to another instance, creating it with that command when it does not exist yet.</summary>
    public async Task<bool> DeliverMessageAsync(MessageDispatch dispatch, CancellationToken ct = default)
    {
        await LogAttemptAsync(dispatch.Envelope.CommandId, EffectKinds.Send, ct);
        var mapping = clocks.Mapping;
        if (await engine.GetStatusAsync(dispatch.TargetInstanceId, ct) is null
            && await engine.StartAsync(dispatch.TargetInstanceId, new OrchestrationInput(dispatch.TargetType, mapping, First: dispatch.Envelope), ct))
        {
            return true;
        }

        // It exists (or was created concurrently): a raised command with an id it has decided is ignored there.
        await engine.RaiseAsync(dispatch.TargetInstanceId, dispatch.Envelope, ct);
        return true;
    }

    /// <summary>An effect that kept failing: kept for operators (GET /api/ops/failed-effects), who can re-send it.</summary>
    public async Task<bool> RecordEffectFailureAsync(EffectFailure failure, CancellationToken ct = default)
    {
        var table = await storage.EffectFailuresAsync();
        await table.UpsertEntityAsync(
            new TableEntity(Keys.Escape(failure.SourceType), Keys.Escape(failure.Effect.Id))
            {
                ["SourceInstanceId"] = failure.SourceInstanceId,
                ["EffectId"] = failure.Effect.Id,
                ["Kind"] = failure.Effect.Kind,
                ["Data"] = failure.Effect.Data,
                ["Error"] = failure.Error.Length > 4000 ? failure.Error[..4000] : failure.Error,
                ["FailedAt"] = clocks.Legal.GetUtcNow(),
            },
            TableUpdateMode.Replace,
            ct);
        return true;
    }

    /// <summary>One row per dispatch attempt, before any de-duplication, so tests and benchmarks can count repeats.</summary>
    private async Task LogAttemptAsync(string effectId, string kind, CancellationToken ct)
    {
        if (!storage.Options.LogEffectAttempts)
        {
            return;
        }

        var table = await storage.EffectLogAsync();
        try
        {
            await table.AddEntityAsync(
                new TableEntity(Keys.Escape(effectId), Guid.NewGuid().ToString("N")) { ["Kind"] = kind, ["At"] = clocks.Legal.GetUtcNow() },
                ct);
        }
        catch (RequestFailedException)
        {
            // The log is diagnostic: an attempt that cannot be logged still delivers.
        }
    }
}
