using System.Text.Json;
using Microsoft.DurableTask;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;

namespace Supervision.Orchestrations;

/// <summary>
/// The one orchestrator shape (ARCHITECTURE.md §4.1): a thin, deterministic host for a pure decider. One instance per
/// case (instance id = case id), ticket or joint assignment. Each turn it waits for the next command (external event
/// <see cref="CommandEvent"/>) raced against a durable timer at the earliest instant the decider's
/// <c>Timers(state)</c> lists; then it decides, records the decision through the <see cref="ActivityNames.RecordDecision"/>
/// activity, and runs each effect as an activity with a deterministic id. After <see cref="OrchestratorOptions.TurnsPerExecution"/>
/// decisions it continues as new with the folded state, keeping unprocessed events.
/// <para>
/// The legal "now" is the command's recorded instant, or a timer's due instant: never the moment a worker got to it.
/// Timers due at or before a command's instant are fired first, so the legal record has them in the right order even
/// when a timer runs late. No I/O, clock, or randomness here: the Durable Task analyzers check it.
/// </para>
/// </summary>
public sealed class DecisionOrchestrator(IOrchestration decider, EffectCodec codec, OrchestratorOptions options)
{
    public const string CommandEvent = "command";

    public Task<string> RunAsync(TaskOrchestrationContext context, OrchestrationInput input) =>
        input.Format >= OrchestrationFormats.Lean ? new LeanOrchestrator(options).RunAsync(context, input) : RunLegacyAsync(context, input);

    /// <summary>
    /// The legacy path (<see cref="OrchestrationFormats.Legacy"/>): executions that started before the lean turn replay
    /// exactly as recorded (Golden/case-*.json without a tag), and continue as new in the lean format.
    /// </summary>
    private async Task<string> RunLegacyAsync(TaskOrchestrationContext context, OrchestrationInput input)
    {
        var turn = new Turn(context, decider, codec, options, input);
        var pending = input.First;
        for (var decided = 0; decided < options.TurnsPerExecution; decided++)
        {
            var command = pending ?? await turn.NextCommandAsync();
            pending = null;
            if (command is null)
            {
                continue; // a timer fired and was decided
            }

            // Timers that fell due before the command are part of the legal past it acts on.
            await turn.FireDueTimersAsync(command.At);
            await turn.DecideAsync(command);
            if (turn.Version == 0)
            {
                // The creating command was refused (e.g. an invalid registration): there is no instance to keep.
                return "not-created";
            }
        }

        context.ContinueAsNew(turn.Carry(), preserveUnprocessedEvents: true);
        return "continued";
    }

    /// <summary>The mutable part of one execution, kept out of <see cref="RunAsync"/> so the loop reads as the pattern.</summary>
    private sealed class Turn(TaskOrchestrationContext context, IOrchestration decider, EffectCodec codec, OrchestratorOptions options, OrchestrationInput input)
    {
        private readonly RecentCommands recent = new(input.Recent, options.RecentCommandIds);
        private object state = input.State is null ? decider.Initial : decider.DeserializeState(input.State);

        public long Version { get; private set; } = input.Version;

        /// <summary>What the next execution starts from: the lean format (the state of record is the stored snapshot).</summary>
        public OrchestrationInput Carry() =>
            new(input.Type, input.Clock, State: null, Version, recent.ToArray(), First: null, OrchestrationFormats.Lean,
                Earliest() is { } t ? new NextTimer(t.Key, t.Generation, t.DueAt.ToDateTimeOffset()) : null);

        /// <summary>The next command, or null when the earliest timer won the race and has been decided.</summary>
        public async Task<CommandEnvelope?> NextCommandAsync()
        {
            using var cancel = new CancellationTokenSource();
            var command = context.WaitForExternalEvent<CommandEnvelope>(CommandEvent, cancel.Token);
            if (Earliest() is not { } timer)
            {
                return await command;
            }

            var due = input.Clock.ToReal(timer.DueAt.ToDateTimeOffset());
            var fired = context.CreateTimer(due, cancel.Token);
            var winner = await Task.WhenAny(command, fired);
            cancel.Cancel();
            if (winner == command)
            {
                return await command;
            }

            // Queue visibility counts whole seconds, so a timer can wake up to ~1 s early (a legal day at demo speed).
            // The decision still records the due instant (never "now"), so the legal record is exact either way.
            await FireAsync(timer);
            return null;
        }

        public async Task FireDueTimersAsync(DateTimeOffset until)
        {
            // Bounded: each firing reaches a level or lapses a window, so the list shrinks; the cap guards a decider bug.
            for (var i = 0; i < 64 && Earliest() is { } t && t.DueAt.ToDateTimeOffset() <= until; i++)
            {
                await FireAsync(t);
            }
        }

        /// <summary>A timer's decision: its legal "now" is its due instant (timers may fire up to ~1 s early or late).</summary>
        private Task FireAsync(DurableTimer timer)
        {
            var command = decider.OnTimer(new TimerFired(timer.Key, timer.Generation, timer.DueAt));
            var envelope = new CommandEnvelope(
                $"timer:{timer.Key}:{timer.Generation}:{timer.DueAt.ToUnixTimeTicks()}", Actors.System, timer.DueAt.ToDateTimeOffset(),
                decider.SerializeCommand(command));
            return DecideAsync(envelope, command);
        }

        private DurableTimer? Earliest()
        {
            DurableTimer? first = null;
            foreach (var t in decider.Timers(state))
            {
                if (first is null || t.DueAt < first.DueAt || (t.DueAt == first.DueAt && string.CompareOrdinal(t.Key, first.Key) < 0))
                {
                    first = t;
                }
            }

            return first;
        }

        public Task DecideAsync(CommandEnvelope envelope) => DecideAsync(envelope, null);

        private async Task DecideAsync(CommandEnvelope envelope, object? command)
        {
            if (recent.Contains(envelope.CommandId))
            {
                return; // raised twice (a client retry racing its first attempt): decided already
            }

            var record = Decide(envelope, command);
            var recorded = await context.CallActivityAsync<DecisionRecord>(ActivityNames.RecordDecision, record, options.RecordRetry);

            // Continue from what was recorded: on replay that is history, whatever the decider would say today.
            recent.Remember(envelope.CommandId);
            if (recorded.Status == CommandStatus.Applied)
            {
                state = decider.DeserializeState(recorded.StateAfter);
                Version = recorded.VersionAfter;
                await RunEffectsAsync(recorded);
            }
        }

        private DecisionRecord Decide(CommandEnvelope envelope, object? command) =>
            DecisionMaker.Make(decider, codec, input.Type, context.InstanceId, state, Version, envelope, command);

        /// <summary>
        /// Effects run as activities, all scheduled at once. A failing effect never fails the case: after its retries it is
        /// recorded in the failed-effects list (operations can re-send it), and the orchestration goes on.
        /// </summary>
        private async Task RunEffectsAsync(DecisionRecord recorded)
        {
            // Read-model rows were written by RecordDecision itself, before the outcome (read-your-writes for the API).
            var running = new List<Task>(recorded.Effects.Count);
            foreach (var effect in recorded.Effects.Where(e => !EffectKinds.IsReadModel(e.Kind)))
            {
                running.Add(RunEffectAsync(recorded, effect));
            }

            await Task.WhenAll(running);
        }

        private Task RunEffectAsync(DecisionRecord recorded, EffectEnvelope effect) =>
            EffectSteps.GuardedAsync(context, options, recorded.Type, recorded.InstanceId, effect, () =>
            {
                switch (effect.Kind)
                {
                    case EffectKinds.Alert:
                        return EffectSteps.AlertAsync(context, options, recorded.Type, recorded.InstanceId, effect);
                    case EffectKinds.Send:
                        var send = EffectCodec.DecodeSend(effect.Data);
                        return context.CallActivityAsync(ActivityNames.DeliverMessage, new MessageDispatch(
                            send.TargetType, send.TargetInstanceId,
                            new CommandEnvelope(effect.Id, recorded.Type + ":" + recorded.InstanceId, recorded.At, send.Command.GetRawText())), options.EffectRetry);
                    default:
                        return context.CallActivityAsync(ActivityNames.WriteReadModel, effect, options.EffectRetry);
                }
            });
    }
}

/// <summary>Settings of the orchestrator (the same in every host, so replays agree).</summary>
public sealed class OrchestratorOptions
{
    /// <summary>Decisions per execution before <c>ContinueAsNew</c>: bounds history (and replay cost) per instance.</summary>
    public int TurnsPerExecution { get; init; } = 50;

    /// <summary>How many decided command ids travel with the state to recognise a repeated raise.</summary>
    public int RecentCommandIds { get; init; } = 64;

    /// <summary>Recording a decision must not be lost: retried patiently (storage outages), then the instance fails visibly.</summary>
    public TaskOptions RecordRetry { get; init; } = TaskOptions.FromRetryPolicy(new RetryPolicy(12, TimeSpan.FromSeconds(1), 2, TimeSpan.FromMinutes(2)));

    /// <summary>Deliveries of one alert that a throttled receiver may refuse (each followed by its Retry-After wait).</summary>
    public int ThrottledAttempts { get; init; } = 8;

    /// <summary>Effects are retried with back-off, then recorded as failed for operators.</summary>
    public TaskOptions EffectRetry { get; init; } = TaskOptions.FromRetryPolicy(new RetryPolicy(6, TimeSpan.FromSeconds(1), 2, TimeSpan.FromMinutes(1)));
}

/// <summary>Activity names: one place, shared by every host's registration.</summary>
public static class ActivityNames
{
    public const string RecordDecision = "RecordDecision";
    public const string WriteReadModel = "WriteReadModel";
    public const string DeliverAlert = "DeliverAlert";
    public const string DeliverMessage = "DeliverMessage";
    public const string RecordEffectFailure = "RecordEffectFailure";

    /// <summary>The lean turn: decides and records in one activity (<see cref="Activities.DecideAsync"/>).</summary>
    public const string Decide = "Decide";

    public static IReadOnlyList<string> All { get; } = [RecordDecision, Decide, WriteReadModel, DeliverAlert, DeliverMessage, RecordEffectFailure];
}

/// <summary>Effect kinds as encoded by <see cref="EffectCodec"/>.</summary>
public static class EffectKinds
{
    public const string Send = "send";
    public const string Alert = "alert";
    public const string Upsert = "upsert";
    public const string Delete = "delete";

    /// <summary>Aggregate counters (<see cref="BumpCounters"/>): written with the read models, exactly once by their marker.</summary>
    public const string Counters = "counters";

    public static bool IsReadModel(string kind) => kind is Upsert or Delete or Counters;
}
