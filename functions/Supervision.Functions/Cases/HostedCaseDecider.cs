using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Policy;
using Supervision.Functions.Org;

namespace Supervision.Functions.Cases;

/// <summary>Where the host gets the legal calendar in force (embedded notices, overridden by administrator-loaded ones).</summary>
public interface ICalendarSource
{
    LegalCalendar Current { get; }
}

/// <summary>The notices shipped with the code.</summary>
public sealed class EmbeddedCalendarSource : ICalendarSource
{
    public LegalCalendar Current => LegalCalendar.Default;
}

/// <summary>
/// The case decider as the runtime hosts it. <see cref="CaseDecider"/> is pure and takes its reference data (calendar,
/// policies, org directory) as constructor arguments; the directory and calendar can be edited at run time, so this
/// wrapper builds a decider from the data in force and reuses it until that data changes. Each decision still sees one
/// consistent snapshot of reference data.
/// </summary>
public sealed class HostedCaseDecider(OrgService org, ICalendarSource calendar, PolicyCatalog policies) : IDecider<CaseState, CaseCommand, CaseEvent>
{
    private (object Org, object Calendar, CaseDecider Decider)? current;

    public string TypeName => CaseDecider.Type;

    public CaseState Initial => Decider.Initial;

    public CaseDecider Decider
    {
        get
        {
            var o = org.Current;
            var c = calendar.Current;
            var snapshot = current;
            if (snapshot is { } s && ReferenceEquals(s.Org, o) && ReferenceEquals(s.Calendar, c))
            {
                return s.Decider;
            }

            var d = new CaseDecider(c, policies, o);
            current = (o, c, d);
            return d;
        }
    }

    public Decision<CaseEvent> Decide(CaseState state, CaseCommand command, DecisionContext context) => Decider.Decide(state, command, context);

    public CaseState Evolve(CaseState state, CaseEvent @event) => Decider.Evolve(state, @event);

    public IReadOnlyList<DurableTimer> Timers(CaseState state) => Decider.Timers(state);

    public CaseCommand OnTimer(TimerFired fired) => Decider.OnTimer(fired);

    public IReadOnlyList<Effect> Effects(CaseState before, CaseEvent @event, CaseState after, EffectContext context) =>
        Decider.Effects(before, @event, after, context);
}
