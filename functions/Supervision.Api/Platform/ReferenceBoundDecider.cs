using System.Text.Json;
using Supervision.Api.Cases;
using Supervision.Api.Org;
using Supervision.Domain.Calendar;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Orchestrations;

namespace Supervision.Api.Platform;

/// <summary>
/// A pure decider as the host runs it. The deciders take their reference data (org directory, legal calendar) as
/// constructor arguments, and both can be edited at run time; this wrapper builds a decider from the data in force
/// and reuses it until that data changes, so each decision sees one consistent snapshot. The type name and initial
/// state are given, not read from a built decider, so registering it touches no storage at start-up.
/// </summary>
public sealed class ReferenceBoundDecider<TState, TCommand, TEvent>(
    string typeName, TState initial, OrgService org, ICalendarSource calendar, Func<OrgDirectory, LegalCalendar, IDecider<TState, TCommand, TEvent>> build)
    : IDecider<TState, TCommand, TEvent>, IReferenceBoundDecider<TState, TCommand, TEvent>
    where TState : class
    where TCommand : class
    where TEvent : class
{
    // One reference, swapped atomically: workers decide concurrently and must never see a decider paired with the wrong data.
    private Built? current;

    public string TypeName => typeName;

    public TState Initial => initial;

    /// <summary>
    /// The decider on the data in force, read synchronously (<see cref="OrgService.Current"/>): for the edge's early
    /// check and for executions of the legacy orchestrator format, which decide on the orchestration thread. The engine's
    /// lean <c>Decide</c> activity uses <see cref="BindAsync"/> instead.
    /// </summary>
    private IDecider<TState, TCommand, TEvent> Decider => For(org.Current, calendar.Current);

    /// <summary>The decider on the data in force, awaited: no thread waits for storage.</summary>
    public async Task<IDecider<TState, TCommand, TEvent>> BindAsync(CancellationToken ct)
    {
        var o = await org.GetAsync(ct);
        var c = await calendar.GetAsync(ct);
        return For(o, c);
    }

    private IDecider<TState, TCommand, TEvent> For(OrgDirectory o, LegalCalendar c)
    {
        if (current is { } snapshot && ReferenceEquals(snapshot.Org, o) && ReferenceEquals(snapshot.Calendar, c))
        {
            return snapshot.Decider;
        }

        var built = new Built(o, c, build(o, c));
        current = built;
        return built.Decider;
    }

    public Decision<TEvent> Decide(TState state, TCommand command, DecisionContext context) => Decider.Decide(state, command, context);

    public TState Evolve(TState state, TEvent @event) => Decider.Evolve(state, @event);

    public IReadOnlyList<DurableTimer> Timers(TState state) => Decider.Timers(state);

    public TCommand OnTimer(TimerFired fired) => Decider.OnTimer(fired);

    public IReadOnlyList<Effect> Effects(TState before, TEvent @event, TState after, EffectContext context) =>
        Decider.Effects(before, @event, after, context);

    private sealed record Built(OrgDirectory Org, LegalCalendar Calendar, IDecider<TState, TCommand, TEvent> Decider);
}

public static class DeciderRegistration
{
    /// <summary>
    /// Registers a decider type the host serves: the <see cref="ReferenceBoundDecider{TState, TCommand, TEvent}"/> (also
    /// resolvable by the API, which checks commands against current state before sending them) and its orchestration.
    /// </summary>
    public static IServiceCollection AddDecider<TState, TCommand, TEvent>(
        this IServiceCollection services, string typeName, TState initial, JsonSerializerOptions json,
        Func<IServiceProvider, OrgDirectory, LegalCalendar, IDecider<TState, TCommand, TEvent>> build)
        where TState : class
        where TCommand : class
        where TEvent : class
    {
        services.AddSingleton(sp => new ReferenceBoundDecider<TState, TCommand, TEvent>(
            typeName, initial, sp.GetRequiredService<OrgService>(), sp.GetRequiredService<ICalendarSource>(), (o, c) => build(sp, o, c)));
        services.AddSingleton(sp => OrchestrationRegistration.For(sp.GetRequiredService<ReferenceBoundDecider<TState, TCommand, TEvent>>(), json));
        return services;
    }
}
