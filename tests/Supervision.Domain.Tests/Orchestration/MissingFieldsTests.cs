using System.Reflection;
using System.Text.Json.Serialization;
using Supervision.Domain.JointAssignments;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Tests.JointAssignments;
using Supervision.Domain.Tests.Tickets;
using Supervision.Domain.Tickets;
using static Supervision.Domain.Tests.Cases.CaseSpec;

namespace Supervision.Domain.Tests.Orchestration;

/// <summary>
/// JSON may leave any field of a command out (the readers check shape, not every field's presence), and the edge and the
/// orchestration both run the decider on what was read. Every command type of the ticket and joint-assignment deciders,
/// with its fields missing one at a time and all at once, in every state of a normal path, is decided (accepted or
/// refused), never thrown: a throw is a 500 at the edge and a poisoned turn in the orchestration.
/// </summary>
public sealed class MissingFieldsTests
{
    public static TheoryData<string> TicketCommands() => Names<TicketCommand>();

    public static TheoryData<string> JointCommands() => Names<JointCommand>();

    [Theory]
    [MemberData(nameof(TicketCommands))]
    public void A_ticket_command_with_missing_fields_is_decided_never_thrown(string type)
    {
        var states = new[] { TicketSpec.New().State, TicketSpec.Raised().State, TicketSpec.Responded().State, TicketSpec.Referred().State };
        Check<TicketState, TicketCommand, TicketEvent>(TicketSpec.Ticket, states, type, TicketSpec.TicketId);
    }

    [Theory]
    [MemberData(nameof(JointCommands))]
    public void A_joint_command_with_missing_fields_is_decided_never_thrown(string type)
    {
        var disputed = JointSpec.Proposed();
        disputed.Ok(new DisputeJointAssignment("ca-land-officer", JointSpec.Land, "界址争议"), At("2025-09-11"));
        var states = new[] { JointSpec.New().State, JointSpec.Proposed().State, JointSpec.Agreed().State, disputed.State };
        Check<JointState, JointCommand, JointEvent>(JointSpec.Joint, states, type, JointSpec.AssignmentId);
    }

    private static TheoryData<string> Names<TCommand>()
    {
        var data = new TheoryData<string>();

        // Timer commands are the orchestration's own; the edge refuses a client's (ApiHardeningTests, item 1).
        foreach (var derived in typeof(TCommand).GetCustomAttributes<JsonDerivedTypeAttribute>().Where(d => !d.DerivedType.Name.EndsWith("TimerElapsed", StringComparison.Ordinal)))
        {
            data.Add(derived.DerivedType.Name);
        }

        return data;
    }

    private static void Check<TState, TCommand, TEvent>(IDecider<TState, TCommand, TEvent> decider, TState[] states, string type, string id)
        where TState : class
        where TCommand : class
        where TEvent : class
    {
        var clr = typeof(TCommand).GetCustomAttributes<JsonDerivedTypeAttribute>().Single(d => d.DerivedType.Name == type).DerivedType;
        var ctor = clr.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var parameters = ctor.GetParameters();
        var full = parameters.Select(Plausible).ToArray();
        var variants = Enumerable.Range(0, parameters.Length)
            .Select(i => full.Select((v, j) => j == i ? Missing(parameters[j]) : v).ToArray())
            .Append([.. parameters.Select(Missing)]);
        foreach (var args in variants)
        {
            var command = (TCommand)ctor.Invoke(args);
            foreach (var state in states)
            {
                var context = new DecisionContext(id, "m-1", At("2025-09-12"), (string?)args[0] ?? string.Empty);
                var thrown = Record.Exception(() => decider.Decide(state, command, context));
                Assert.True(thrown is null, $"{type}({string.Join(", ", args.Select(a => a ?? "null"))}) threw {thrown?.GetType().Name}: {thrown?.Message}");
            }
        }
    }

    /// <summary>A value a client could send for the parameter (strings name real demo people and units where it helps).</summary>
    private static object? Plausible(ParameterInfo p) =>
        p.ParameterType == typeof(string) ? p.Name == "actor" ? "ca-conf-staff" : p.Name?.Contains("unit", StringComparison.OrdinalIgnoreCase) == true ? JointSpec.Land : "x"
        : p.ParameterType == typeof(JointArrangement) ? JointSpec.Arrangement()
        : p.HasDefaultValue ? p.DefaultValue
        : Missing(p);

    /// <summary>What a deserializer leaves for a field the JSON did not have.</summary>
    private static object? Missing(ParameterInfo p) =>
        p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null;
}
