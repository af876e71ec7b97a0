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
    StorageMetrics metrics, Clocks clocks, OrchestrationRegistry registry, EffectCodec codec)
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

    /// <summary>
    /// The lean turn (<see cref="OrchestrationFormats.Lean"/>): decides one command (or the timer that fired) on the state
    /// of record, with the reference data in force awaited, and records it as <see cref="RecordDecisionAsync"/> does
    /// (read-model rows first, then outcome, events, snapshot and effect payloads in one transaction guarded by the
    /// snapshot's ETag). Returns only what the orchestrator needs. Idempotent: a command whose outcome is recorded is not
    /// decided again; the recorded answer is returned and nothing is written.
    /// </summary>
    public async Task<DecideAnswer> DecideAsync(DecideRequest request, CancellationToken ct = default)
    {
        var decider = await registry.Get(request.Type).BindAsync(ct);
        var (envelope, command) = request.Timer is { } t
            ? DecisionMaker.TimerCommand(decider, t.Key, t.Generation, NodaTime.Instant.FromDateTimeOffset(t.Due))
            : (request.Command ?? throw new ArgumentException("A decide request names a command or a timer.", nameof(request)), null);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var basis = await decisions.LoadBaseAsync(request.Type, request.InstanceId, envelope.CommandId, ct);
            var state = basis.StateJson is { } json ? decider.DeserializeState(json) : decider.Initial;
            if (basis.Recorded is { } done)
            {
                // Decided before: a re-executed activity gets its first answer back; an older command id (raised again
                // after it left the recent list, or decided by the legacy format) changes nothing and runs nothing.
                return done.Answer is { } first && first.Version == basis.Version
                    ? first
                    : new DecideAnswer(done.Status, basis.Version, Next(decider, state));
            }

            if (basis.Version < request.BaseVersion)
            {
                throw new InvalidOperationException(
                    $"{request.Type} {request.InstanceId}: the stored snapshot (version {basis.Version}) is behind the orchestration (version {request.BaseVersion}).");
            }

            var (record, after) = DecisionMaker.MakeWithState(decider, codec, request.Type, request.InstanceId, state, basis.Version, envelope, command);
            List<EffectRef> run = [.. record.Effects.Where(e => !EffectKinds.IsReadModel(e.Kind)).Select(e => new EffectRef(e.Id, e.Kind))];
            var answer = new DecideAnswer(record.Status, record.VersionAfter, Next(decider, after), run.Count > 0 ? run : null);
            foreach (var effect in record.Effects.Where(e => EffectKinds.IsReadModel(e.Kind)))
            {
                await WriteReadModelAsync(effect, ct);
            }

            if (await decisions.RecordLeanAsync(record, answer, basis.ETag, ct))
            {
                metrics.Decision(record.Status.ToString().ToLowerInvariant());
                return answer;
            }

            // Another run of this activity recorded first (or the snapshot moved): read again.
        }

        throw new InvalidOperationException($"Recording a decision of {request.Type} {request.InstanceId} kept conflicting.");
    }

    private static NextTimer? Next(IOrchestration decider, object state) =>
        DecisionMaker.Earliest(decider.Timers(state)) is { } t ? new NextTimer(t.Key, t.Generation, t.DueAt.ToDateTimeOffset()) : null;

    /// <summary>An effect as dispatched: a lean orchestration passes only its id (empty data); the payload is loaded here.</summary>
    private async Task<EffectEnvelope> PayloadAsync(string sourceType, string sourceInstanceId, EffectEnvelope effect, CancellationToken ct)
    {
        if (effect.Data.Length > 0)
        {
            return effect;
        }

        var stored = await decisions.GetEffectAsync(sourceType, sourceInstanceId, effect.Id, ct);
        return effect with { Kind = stored.Kind, Data = stored.Data };
    }

    public async Task<bool> WriteReadModelAsync(EffectEnvelope effect, CancellationToken ct = default)
    {
        await LogAttemptAsync(effect.Id, effect.Kind, ct);
        return effect.Kind switch
        {
            EffectKinds.Upsert => await readModels.UpsertAsync(EffectCodec.DecodeUpsert(effect.Data), ct),
            EffectKinds.Delete => await readModels.DeleteAsync(EffectCodec.DecodeDelete(effect.Data), ct),
            EffectKinds.Counters => await readModels.BumpAsync(EffectCodec.DecodeCounters(effect.Data), ct),
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
        dispatch = dispatch with { Effect = await PayloadAsync(dispatch.SourceType, dispatch.SourceInstanceId, dispatch.Effect, ct) };
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
        if (dispatch.Source is { } source)
        {
            // Lean format: the target and the command are stored with the decision that sent them.
            var stored = await decisions.GetEffectAsync(source.Type, source.InstanceId, dispatch.Envelope.CommandId, ct);
            var send = EffectCodec.DecodeSend(stored.Data);
            dispatch = new MessageDispatch(
                send.TargetType, send.TargetInstanceId,
                new CommandEnvelope(stored.Id, source.Type + ":" + source.InstanceId, stored.At, send.Command.GetRawText()));
        }

        var mapping = clocks.Mapping;
        if (await engine.GetStatusAsync(dispatch.TargetInstanceId, ct) is null
            && await engine.StartAsync(dispatch.TargetInstanceId, OrchestrationInput.Start(dispatch.TargetType, mapping, dispatch.Envelope), ct))
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
        // Kept whole (operators re-send from this row), also for a lean orchestration that passed only the effect's id.
        failure = failure with { Effect = await PayloadAsync(failure.SourceType, failure.SourceInstanceId, failure.Effect, ct) };
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
