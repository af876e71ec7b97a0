using Supervision.Api.Org;
using Supervision.Calendar.Storage;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Policy;

namespace Supervision.Api.Cases;

/// <summary>Where the host gets the legal calendar in force (embedded notices, overridden by administrator-loaded ones).</summary>
public interface ICalendarSource
{
    LegalCalendar Current { get; }
}

/// <summary>
/// The calendar from <see cref="CalendarStore"/> (embedded notices overridden by stored ones) for synchronous callers
/// such as deciders: once loaded the store answers from memory (refreshing in the background), so only the very first
/// read waits, on a load that runs on the thread pool.
/// </summary>
public sealed class StoredCalendarSource(CalendarStore store) : ICalendarSource
{
    public LegalCalendar Current => store.GetAsync().GetAwaiter().GetResult().Calendar;
}

/// <summary>
/// The case decider as the runtime hosts it. <see cref="CaseDecider"/> is pure and takes its reference data (calendar,
/// policies, org directory) as constructor arguments; the directory and calendar can be edited at run time, so this
/// wrapper builds a decider from the data in force and reuses it until that data changes. Each decision still sees one
/// consistent snapshot of reference data.
/// </summary>
public sealed class HostedCaseDecider(OrgService org, ICalendarSource calendar, PolicyCatalog policies) : IDecider<CaseState, CaseCommand, CaseEvent>
{
    // One reference, swapped atomically: workers decide concurrently and must never see a decider paired with the wrong data.
    private Built? current;

    public string TypeName => CaseDecider.Type;

    public CaseState Initial => Decider.Initial;

    public CaseDecider Decider
    {
        get
        {
            var o = org.Current;
            var c = calendar.Current;
            var snapshot = current;
            if (snapshot is not null && ReferenceEquals(snapshot.Org, o) && ReferenceEquals(snapshot.Calendar, c))
            {
                return snapshot.Decider;
            }

            var built = new Built(o, c, new CaseDecider(c, policies, o));
            current = built;
            return built.Decider;
        }
    }

    public Decision<CaseEvent> Decide(CaseState state, CaseCommand command, DecisionContext context) => Decider.Decide(state, command, context);

    public CaseState Evolve(CaseState state, CaseEvent @event) => Decider.Evolve(state, @event);

    public IReadOnlyList<DurableTimer> Timers(CaseState state) => Decider.Timers(state);

    public CaseCommand OnTimer(TimerFired fired) => Decider.OnTimer(fired);

    public IReadOnlyList<Effect> Effects(CaseState before, CaseEvent @event, CaseState after, EffectContext context) =>
        Decider.Effects(before, @event, after, context);

    private sealed record Built(object Org, object Calendar, CaseDecider Decider);
}
