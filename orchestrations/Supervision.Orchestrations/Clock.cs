namespace Supervision.Orchestrations;

/// <summary>
/// How legal time relates to real time for one orchestration: <c>legal = LegalOrigin + (real − RealOrigin) × Speed</c>.
/// Speed is 1 in production (legal time is real time); demos and tests run faster (86,400 = one legal day per real
/// second). Durable timers run in real time, so an orchestration creates each timer at <see cref="ToReal"/> of its legal
/// due instant. The mapping is fixed when the orchestration starts and travels in its input, so replays and
/// <c>ContinueAsNew</c> never change when a deadline fires (docs/decisions.md, E2).
/// </summary>
/// <param name="LegalOrigin">The legal instant at <paramref name="RealOrigin"/>.</param>
/// <param name="RealOrigin">A real (wall-clock, UTC) instant.</param>
/// <param name="Speed">Legal seconds per real second; at least 1.</param>
public sealed record ClockMapping(DateTimeOffset LegalOrigin, DateTimeOffset RealOrigin, double Speed)
{
    /// <summary>Real time: legal time is the wall clock.</summary>
    public static ClockMapping RealTime { get; } = new(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 1);

    /// <summary>The real instant (UTC) at which a legal instant is reached.</summary>
    public DateTime ToReal(DateTimeOffset legal) => Speed == 1 && LegalOrigin == RealOrigin
        ? legal.UtcDateTime
        : (RealOrigin + TimeSpan.FromTicks((long)((legal - LegalOrigin).Ticks / Speed))).UtcDateTime;

    /// <summary>The legal instant at a real instant.</summary>
    public DateTimeOffset ToLegal(DateTimeOffset real) => Speed == 1 && LegalOrigin == RealOrigin
        ? real
        : LegalOrigin + TimeSpan.FromTicks((long)((real - RealOrigin).Ticks * Speed));
}

/// <summary>
/// The process's legal clock: the wall clock through a <see cref="ClockMapping"/>. Only the reading is mapped; timers and
/// delays created from it run in real time, so polling never turns into a busy loop at demo speed. Several processes
/// configured with the same mapping agree on legal time (they read the same wall clock).
/// </summary>
public sealed class MappedTimeProvider(ClockMapping mapping, TimeProvider? real = null) : TimeProvider
{
    private readonly TimeProvider real = real ?? System;

    public ClockMapping Mapping => mapping;

    public override DateTimeOffset GetUtcNow() => mapping.ToLegal(real.GetUtcNow());

    public override long TimestampFrequency => real.TimestampFrequency;

    public override long GetTimestamp() => real.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        real.CreateTimer(callback, state, dueTime, period);
}
