using System.Collections.Immutable;
using Supervision.Domain.Cases;
using Supervision.Domain.JointAssignments;
using Supervision.Domain.Tests.Tickets;
using static Supervision.Domain.Tests.Cases.CaseSpec;

namespace Supervision.Domain.Tests.JointAssignments;

/// <summary>Joint assignments over the demo org: 东城县 housing leads, land co-handles; their common superior is the county government.</summary>
public static class JointSpec
{
    public const string AssignmentId = "LH-XF-2025-000001";
    public const string Land = "ca-land";
    public const string ConfStaff = "ca-conf-staff";
    public const string Conference = "ca-conf";

    public static JointDecider Joint { get; } = JointDecider.Demo;

    public static JointArrangement Arrangement(string lead = Agency, string co = Land, string leadDue = "2025-11-28", string coDue = "2025-11-14") =>
        new(lead, D(leadDue), ImmutableList.Create(new CoHandlerDeadline(co, D(coDue))));

    public static ProposeJointAssignment Propose(JointArrangement? a = null, string bureau = Bureau, string actor = Registrar, Category? category = Category.Complaint, string? accusedUnit = null) =>
        new(actor, AssignmentId, CaseId, bureau, a ?? Arrangement(), category, accusedUnit);

    public static Flow<JointState, JointCommand, JointEvent> New() => new(Joint, AssignmentId);

    /// <summary>Proposed on Wed 2025-09-10 10:00: answers due Mon 09-15 (3 working days).</summary>
    public static Flow<JointState, JointCommand, JointEvent> Proposed(JointArrangement? a = null, string bureau = Bureau, string actor = Registrar)
    {
        var f = New();
        f.Ok(Propose(a, bureau, actor), At("2025-09-10"));
        return f;
    }

    public static Flow<JointState, JointCommand, JointEvent> Agreed()
    {
        var f = Proposed();
        f.Ok(new ConsentToJointAssignment(Officer, Agency), At("2025-09-11"));
        f.Ok(new ConsentToJointAssignment("ca-land-head", Land), At("2025-09-11"));
        return f;
    }

    public static Flow<JointState, JointCommand, JointEvent> Disputed()
    {
        var f = Proposed();
        f.Ok(new DisputeJointAssignment("ca-land-officer", Land, "不属本单位职责"), At("2025-09-11"));
        return f;
    }

    public static HashSet<(string Role, string Unit)> Audience(Supervision.Domain.Orchestration.Alert alert) => [.. alert.To.Select(a => (a.Role, a.UnitId))];
}
