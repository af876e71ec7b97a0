using Supervision.Api.Org;
using Supervision.Domain.JointAssignments;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Tickets;

namespace Supervision.Api.Cases;

/// <summary>
/// The supervision ticket decider as the runtime hosts it: rebuilt from the org directory and calendar in force, like
/// <see cref="HostedCaseDecider"/>. It must be registered wherever the case is, because a red case clock sends
/// <c>RaiseTicket</c> to the "ticket" type and the runtime refuses messages to types it does not serve.
/// </summary>
public sealed class HostedTicketDecider(OrgService org, ICalendarSource calendar) : IDecider<TicketState, TicketCommand, TicketEvent>
{
    private Built? current;

    public string TypeName => TicketDecider.Type;

    public TicketState Initial => TicketState.Initial;

    public TicketDecider Decider
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

            var built = new Built(o, c, new TicketDecider(c, o, SupervisionPolicy.Default));
            current = built;
            return built.Decider;
        }
    }

    public Decision<TicketEvent> Decide(TicketState state, TicketCommand command, DecisionContext context) => Decider.Decide(state, command, context);

    public TicketState Evolve(TicketState state, TicketEvent @event) => Decider.Evolve(state, @event);

    public IReadOnlyList<DurableTimer> Timers(TicketState state) => Decider.Timers(state);

    public TicketCommand OnTimer(TimerFired fired) => Decider.OnTimer(fired);

    public IReadOnlyList<Effect> Effects(TicketState before, TicketEvent @event, TicketState after, EffectContext context) =>
        Decider.Effects(before, @event, after, context);

    private sealed record Built(object Org, object Calendar, TicketDecider Decider);
}

/// <summary>The joint-assignment decider as the runtime hosts it (see <see cref="HostedTicketDecider"/>).</summary>
public sealed class HostedJointDecider(OrgService org, ICalendarSource calendar) : IDecider<JointState, JointCommand, JointEvent>
{
    private Built? current;

    public string TypeName => JointDecider.Type;

    public JointState Initial => JointState.Initial;

    public JointDecider Decider
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

            var built = new Built(o, c, new JointDecider(c, o, SupervisionPolicy.Default));
            current = built;
            return built.Decider;
        }
    }

    public Decision<JointEvent> Decide(JointState state, JointCommand command, DecisionContext context) => Decider.Decide(state, command, context);

    public JointState Evolve(JointState state, JointEvent @event) => Decider.Evolve(state, @event);

    public IReadOnlyList<DurableTimer> Timers(JointState state) => Decider.Timers(state);

    public JointCommand OnTimer(TimerFired fired) => Decider.OnTimer(fired);

    public IReadOnlyList<Effect> Effects(JointState before, JointEvent @event, JointState after, EffectContext context) =>
        Decider.Effects(before, @event, after, context);

    private sealed record Built(object Org, object Calendar, JointDecider Decider);
}
