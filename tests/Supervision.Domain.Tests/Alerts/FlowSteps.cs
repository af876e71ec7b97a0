using NodaTime;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Tests.Tickets;

namespace Supervision.Domain.Tests.Alerts;

/// <summary>One decision with the effects of its events.</summary>
internal sealed record Step<TEvent>(IReadOnlyList<TEvent> Events, IReadOnlyList<Effect> Effects, Rejection? Rejection);

internal static class FlowSteps
{
    public static Step<TE> Run<TS, TC, TE>(this Flow<TS, TC, TE> flow, TC command, Instant at)
        where TS : class
        where TC : class
        where TE : class
    {
        var d = flow.Do(command, at);
        return new(d.Events, [.. flow.Effects], d.Rejection);
    }

    /// <summary>Fires <paramref name="timer"/> at its due instant, whether or not the state still lists it (a stale wake-up).</summary>
    public static Step<TE> Fire<TS, TC, TE>(this Flow<TS, TC, TE> flow, IDecider<TS, TC, TE> decider, DurableTimer timer)
        where TS : class
        where TC : class
        where TE : class =>
        flow.Run(decider.OnTimer(new TimerFired(timer.Key, timer.Generation, timer.DueAt)), timer.DueAt);
}
