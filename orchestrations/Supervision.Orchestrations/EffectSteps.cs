using System.Text.Json;
using Microsoft.DurableTask;

namespace Supervision.Orchestrations;

/// <summary>
/// What both orchestrator paths (legacy and lean, <see cref="DecisionOrchestrator"/>, <see cref="LeanOrchestrator"/>)
/// do around an effect, written once: they schedule the same activities and timers in the same order, which the golden
/// replay tests hold them to. A failing effect never fails the instance: it is parked in the failed-effects list
/// (operations can re-send it) and the orchestration goes on.
/// </summary>
internal static class EffectSteps
{
    /// <summary>Runs one effect; an activity failure after its retries is recorded instead of thrown.</summary>
    public static async Task GuardedAsync(
        TaskOrchestrationContext context, OrchestratorOptions options, string type, string instanceId, EffectEnvelope effect, Func<Task> run)
    {
        try
        {
            await run();
        }
        catch (TaskFailedException e)
        {
            await ParkAsync(context, options, type, instanceId, effect, e.FailureDetails.ErrorType + ": " + e.FailureDetails.ErrorMessage);
        }
    }

    /// <summary>One alert; parked when the receiver is still throttling after <see cref="OrchestratorOptions.ThrottledAttempts"/> waits.</summary>
    public static async Task AlertAsync(
        TaskOrchestrationContext context, OrchestratorOptions options, string type, string instanceId, EffectEnvelope effect)
    {
        if (!await DeliverAlertAsync(context, options, new AlertDispatch(effect.Id, type, instanceId, effect)))
        {
            await ParkAsync(context, options, type, instanceId, effect, $"Throttled: still refused after {options.ThrottledAttempts} waits for Retry-After.");
        }
    }

    private static Task ParkAsync(TaskOrchestrationContext context, OrchestratorOptions options, string type, string instanceId, EffectEnvelope effect, string reason) =>
        context.CallActivityAsync(ActivityNames.RecordEffectFailure, new EffectFailure(type, instanceId, effect, reason), options.RecordRetry);

    /// <summary>
    /// One alert, honouring the receiver's <c>Retry-After</c> exactly: a throttled attempt waits on a durable timer for
    /// the delay the receiver named (real time: it is the receiver's clock, not the legal one), then tries again.
    /// False when it is still throttled after <see cref="OrchestratorOptions.ThrottledAttempts"/> attempts.
    /// </summary>
    private static async Task<bool> DeliverAlertAsync(TaskOrchestrationContext context, OrchestratorOptions options, AlertDispatch dispatch)
    {
        for (var attempt = 1; attempt <= options.ThrottledAttempts; attempt++)
        {
            var outcome = AlertOutcome.From(await context.CallActivityAsync<JsonElement>(ActivityNames.DeliverAlert, dispatch, options.EffectRetry));
            if (outcome.RetryAfterSeconds is not { } seconds)
            {
                return true;
            }

            // Until the instant the receiver named. A queue-backed timer can wake up to a second early (message
            // visibility has whole-second precision), so an early wake-up waits again for the rest, at least a second.
            var notBefore = outcome.NotBefore ?? context.CurrentUtcDateTime.AddSeconds(seconds);
            while (context.CurrentUtcDateTime < notBefore)
            {
                var rest = notBefore - context.CurrentUtcDateTime;
                await context.CreateTimer(context.CurrentUtcDateTime + (rest < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : rest), CancellationToken.None);
            }
        }

        return false;
    }
}

/// <summary>The last decided command ids, carried across executions, so a command raised twice is decided once.</summary>
internal sealed class RecentCommands(IEnumerable<string>? carried, int capacity)
{
    private readonly Queue<string> ids = new(carried ?? []);

    public bool Contains(string commandId) => ids.Contains(commandId);

    public void Remember(string commandId)
    {
        ids.Enqueue(commandId);
        while (ids.Count > capacity)
        {
            ids.Dequeue();
        }
    }

    public string[] ToArray() => [.. ids];
}
