using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
    private readonly TimeProvider real = real ?? Clocks.Wall;

    public ClockMapping Mapping => mapping;

    public override DateTimeOffset GetUtcNow() => mapping.ToLegal(real.GetUtcNow());

    public override long TimestampFrequency => real.TimestampFrequency;

    public override long GetTimestamp() => real.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        real.CreateTimer(callback, state, dueTime, period);
}

/// <summary>
/// The process's two clocks, registered once (<see cref="ClockRegistration.AddClocks"/>), and the only place the code
/// names the wall clock (the banned-API analyzer refuses <c>DateTimeOffset.UtcNow</c>, <c>DateTime.Now</c> and
/// <c>TimeProvider.System</c> everywhere else, docs/decisions.md E12).
/// <list type="bullet">
/// <item><see cref="Legal"/>: legal time, for deadlines, decisions and records (accelerated in demos and tests). It is
/// also the DI <see cref="TimeProvider"/>.</item>
/// <item><see cref="Real"/>: the receiver's and the cache's time, for cache lifetimes, Retry-After, link expiry and the
/// age of a claim. The wall clock when the legal clock is the mapped one; a test that registers its own (fake) legal
/// clock drives these with it too, unless it registers a real clock under <see cref="RealKey"/>.</item>
/// </list>
/// Elapsed time (how long a poll has waited) is measured with <see cref="System.Diagnostics.Stopwatch"/>: a duration,
/// not a reading of either clock.
/// </summary>
public sealed class Clocks(TimeProvider legal, TimeProvider real)
{
    /// <summary>The DI key of a <see cref="TimeProvider"/> that replaces <see cref="Real"/> (tests of link expiry).</summary>
    public const string RealKey = "real";

#pragma warning disable RS0030 // the one sanctioned reading of the wall clock
    /// <summary>The wall clock. Only composition roots (hosts, the CLI, test fixtures, the bench) start from it.</summary>
    public static TimeProvider Wall { get; } = TimeProvider.System;
#pragma warning restore RS0030

    public TimeProvider Legal => legal;

    public TimeProvider Real => real;

    /// <summary>The mapping new orchestrations get: the legal clock's, or real time when the legal clock is not mapped.</summary>
    public ClockMapping Mapping => legal is MappedTimeProvider m ? m.Mapping : ClockMapping.RealTime;

    /// <summary>The clocks around a legal clock: real time is the wall clock unless the legal clock is a test's own.</summary>
    public static Clocks Around(TimeProvider legal, TimeProvider? real = null) =>
        new(legal, real ?? (legal is MappedTimeProvider || ReferenceEquals(legal, Wall) ? Wall : legal));
}

public static class ClockRegistration
{
    /// <summary>
    /// Registers the legal clock (<paramref name="mapping"/> over the wall clock, replacing any default registered before)
    /// as <see cref="TimeProvider"/> and the
    /// <see cref="Clocks"/> built around whichever <see cref="TimeProvider"/> is finally registered (a test may replace it).
    /// </summary>
    public static IServiceCollection AddClocks(this IServiceCollection services, ClockMapping? mapping = null)
    {
        // A host's configured mapping is the process clock whoever registered a default before it (the calendar's
        // services add clocks too, and come first); without one, the first registration stands.
        if (mapping is null)
        {
            services.TryAddSingleton(Clocks.Wall);
        }
        else
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(new MappedTimeProvider(mapping, Clocks.Wall)));
        }


        services.TryAddSingleton(sp => Clocks.Around(sp.GetRequiredService<TimeProvider>(), sp.GetKeyedService<TimeProvider>(Clocks.RealKey)));
        return services;
    }
}
