using Microsoft.DurableTask;

namespace Supervision.Orchestrations;

/// <summary>
/// The lean orchestrator path (<see cref="OrchestrationFormats.Lean"/>, docs/decisions.md E13). The same loop as the
/// legacy path (wait for a command raced against the earliest timer, fire timers due at or before a command's instant
/// first, decide, run effects, continue as new after <see cref="OrchestratorOptions.TurnsPerExecution"/> turns), but
/// the orchestrator holds no state and calls no decider: one <see cref="ActivityNames.Decide"/> activity decides on the
/// state of record with the reference data awaited, records, and returns a small <see cref="DecideAnswer"/> (status,
/// version, next timer, effect ids). History holds that answer, not the decision record; effect payloads are stored
/// with the decision and loaded by the effect activities. No I/O, clock or randomness here.
/// </summary>
internal sealed class LeanOrchestrator(OrchestratorOptions options)
{
    public async Task<string> RunAsync(TaskOrchestrationContext context, OrchestrationInput input)
    {
        var turn = new Turn(context, options, input);
        var pending = input.First;
        for (var decided = 0; decided < options.TurnsPerExecution; decided++)
        {
            var command = pending ?? await turn.NextCommandAsync();
            pending = null;
            if (command is null)
            {
                continue; // a timer fired and was decided
            }

            await turn.FireDueTimersAsync(command.At);
            await turn.DecideAsync(command);
            if (turn.Version == 0)
            {
                return "not-created";
            }
        }

        context.ContinueAsNew(turn.Carry(), preserveUnprocessedEvents: true);
        return "continued";
    }

    private sealed class Turn(TaskOrchestrationContext context, OrchestratorOptions options, OrchestrationInput input)
    {
        private readonly RecentCommands recent = new(input.Recent, options.RecentCommandIds);
        private NextTimer? next = input.Next;

        public long Version { get; private set; } = input.Version;

        public OrchestrationInput Carry() =>
            new(input.Type, input.Clock, State: null, Version, recent.ToArray(), First: null, OrchestrationFormats.Lean, next);

        public async Task<CommandEnvelope?> NextCommandAsync()
        {
            using var cancel = new CancellationTokenSource();
            var command = context.WaitForExternalEvent<CommandEnvelope>(DecisionOrchestrator.CommandEvent, cancel.Token);
            if (next is not { } timer)
            {
                return await command;
            }

            var fired = context.CreateTimer(input.Clock.ToReal(timer.Due), cancel.Token);
            var winner = await Task.WhenAny(command, fired);
            cancel.Cancel();
            if (winner == command)
            {
                return await command;
            }

            // The decision records the due instant, whenever the timer woke (up to ~1 s early or late).
            await FireAsync(timer);
            return null;
        }

        public async Task FireDueTimersAsync(DateTimeOffset until)
        {
            for (var i = 0; i < 64 && next is { } t && t.Due <= until; i++)
            {
                await FireAsync(t);
            }
        }

        private Task FireAsync(NextTimer timer) => DecideAsync(timer.FiringId(), timer.Due, new DecideRequest(input.Type, context.InstanceId, Version, Timer: timer));

        public Task DecideAsync(CommandEnvelope envelope) =>
            DecideAsync(envelope.CommandId, envelope.At, new DecideRequest(input.Type, context.InstanceId, Version, Command: envelope));

        private async Task DecideAsync(string commandId, DateTimeOffset at, DecideRequest request)
        {
            if (recent.Contains(commandId))
            {
                return; // raised twice: decided already
            }

            var answer = await context.CallActivityAsync<DecideAnswer>(ActivityNames.Decide, request, options.RecordRetry);
            recent.Remember(commandId);
            Version = answer.Version;
            next = answer.Next;
            if (answer.ToRun() is { Count: > 0 } effects)
            {
                await Task.WhenAll(effects.Select(e => RunEffectAsync(e, at)));
            }
        }

        private Task RunEffectAsync(EffectRef effect, DateTimeOffset at)
        {
            // Only the id travels: the activities load the payload stored with the decision.
            var envelope = new EffectEnvelope(effect.Id, effect.Kind, string.Empty);
            return EffectSteps.GuardedAsync(context, options, input.Type, context.InstanceId, envelope, () => effect.Kind switch
            {
                EffectKinds.Alert => EffectSteps.AlertAsync(context, options, input.Type, context.InstanceId, envelope),
                EffectKinds.Send => context.CallActivityAsync(ActivityNames.DeliverMessage, new MessageDispatch(
                    string.Empty, string.Empty, new CommandEnvelope(effect.Id, input.Type + ":" + context.InstanceId, at, string.Empty),
                    new EffectSource(input.Type, context.InstanceId)), options.EffectRetry),
                _ => throw new InvalidOperationException($"'{effect.Kind}' is not an effect the orchestrator runs."),
            });
        }
    }
}
