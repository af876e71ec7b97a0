using Microsoft.Extensions.Options;

namespace Supervision.Orchestrations;

/// <summary>Settings of <see cref="CommandGateway"/> (section <c>Supervision:Commands</c>).</summary>
public sealed class CommandOptions
{
    /// <summary>How long an API call waits for the orchestration to record its command before answering 202.</summary>
    public TimeSpan Wait { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>First poll interval for the outcome; it doubles up to <see cref="MaxPollInterval"/>.</summary>
    public TimeSpan FirstPollInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>The outcome of sending a command: recorded (now or before), or still pending after the wait.</summary>
/// <param name="Outcome">Null when the wait ended first (the API answers 202 with a status link).</param>
/// <param name="Replayed">The command id had been decided before this call (an idempotent retry).</param>
public sealed record CommandResult(CommandOutcome? Outcome, bool Replayed);

/// <summary>
/// How the API turns a command into an answer (ARCHITECTURE.md §4.3, docs/decisions.md E4): a command id decided
/// before answers with its recorded outcome and changes nothing; otherwise the command is raised on the instance (or
/// starts it), and the call waits a bounded time for the orchestration to record the outcome under that id. Only the
/// orchestration decides; the API's own check against the current state is just an early answer.
/// </summary>
public sealed class CommandGateway(IDurableEngine engine, DecisionStore store, Clocks clocks, IOptions<CommandOptions> options)
{
    /// <summary>The clock mapping new instances get: the process's (speed 1 in production).</summary>
    public ClockMapping Mapping => clocks.Mapping;

    public DateTimeOffset Now() => clocks.Legal.GetUtcNow();

    /// <param name="create">Start the instance with this command when it does not exist (a registration).</param>
    public async Task<CommandResult> SendAsync(string type, string instanceId, CommandEnvelope command, bool create, CancellationToken ct)
    {
        if (await store.GetOutcomeAsync(type, instanceId, command.CommandId, ct) is { } done)
        {
            return new CommandResult(done, Replayed: true);
        }

        // A creating command whose instance exists is raised on it like any other: a retry racing its first attempt is
        // then decided once (the orchestration skips a command id it has just decided), and a genuine second command to
        // an existing instance (re-booking a cancelled slot, a create naming an id in use) reaches the decider, which
        // answers it, instead of waiting for an outcome that never comes.
        if (!create || !await engine.StartAsync(instanceId, OrchestrationInput.Start(type, Mapping, command), ct))
        {
            await engine.RaiseAsync(instanceId, command, ct);
        }

        return new CommandResult(await WaitAsync(type, instanceId, command.CommandId, ct), Replayed: false);
    }

    /// <summary>The recorded outcome of a command, if any (the 202 status link reads it).</summary>
    public Task<CommandOutcome?> OutcomeAsync(string type, string instanceId, string commandId, CancellationToken ct) =>
        store.GetOutcomeAsync(type, instanceId, commandId, ct);

    private async Task<CommandOutcome?> WaitAsync(string type, string instanceId, string commandId, CancellationToken ct)
    {
        var o = options.Value;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var interval = o.FirstPollInterval;
        while (true)
        {
            if (await store.GetOutcomeAsync(type, instanceId, commandId, ct) is { } outcome)
            {
                return outcome;
            }

            if (System.Diagnostics.Stopwatch.GetElapsedTime(started) + interval > o.Wait)
            {
                return null;
            }

            // Real time: the wait is for the engine, whatever speed the legal clock runs at.
            await Task.Delay(interval, ct);
            interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, o.MaxPollInterval.Ticks));
        }
    }
}
