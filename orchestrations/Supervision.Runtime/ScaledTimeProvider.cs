namespace Supervision.Runtime;

/// <summary>
/// An accelerated clock for the demo: simulated time = <c>start + (real elapsed × speed)</c>, e.g. speed 86,400 is
/// one simulated day per real second. Only the clock <i>reading</i> is scaled; timers and delays created from it run
/// in real time, so polling intervals (sweep, queue poll) stay real while every deadline, due instant and
/// recorded "now" follows simulated time (decision R4 in docs/decisions.md).
/// </summary>
public sealed class ScaledTimeProvider : TimeProvider
{
    private readonly TimeProvider real;
    private readonly DateTimeOffset start;
    private readonly long startTimestamp;
    private readonly double speed;

    public ScaledTimeProvider(DateTimeOffset start, double speed, TimeProvider? real = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(speed);
        this.real = real ?? System;
        this.start = start;
        this.speed = speed;
        startTimestamp = this.real.GetTimestamp();
    }

    public double Speed => speed;

    public override DateTimeOffset GetUtcNow()
    {
        var elapsed = real.GetElapsedTime(startTimestamp);
        return start + TimeSpan.FromTicks((long)(elapsed.Ticks * speed));
    }

    public override long TimestampFrequency => real.TimestampFrequency;

    public override long GetTimestamp() => real.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        real.CreateTimer(callback, state, dueTime, period);
}
