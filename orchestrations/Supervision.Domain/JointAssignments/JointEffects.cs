using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Domain.Tickets;

namespace Supervision.Domain.JointAssignments;

/// <summary>Alerts to whoever must act next, the approved arrangement to the case, and the <c>joint</c> inbox row.</summary>
internal static class JointEffects
{
    public static IReadOnlyList<Effect> Of(JointDecider decider, JointEvent e, JointState s, EffectContext ctx)
    {
        var org = decider.Org;
        var alerts = new AlertList(decider.Excluded(s), $"/joint/{s.AssignmentId ?? ctx.InstanceId}", s.CaseId);
        var caseId = s.CaseId ?? string.Empty;
        var due = s.Window?.DueDate.ToString("uuuu-MM-dd", null);
        var a = s.Arrangement!;
        IEnumerable<(Role, string?)> Staff(IEnumerable<string> units) => units.SelectMany(u => new (Role, string?)[] { (Role.HandlingOfficer, u), (Role.AgencyHead, u) });
        IEnumerable<(Role, string?)> Resolver() => s.Resolver == ResolverKind.ConferenceOffice
            ? [(Role.ConferenceStaff, s.ResolverUnitId)]
            : [(Role.Leader, s.ResolverUnitId), (Role.AgencyHead, s.ResolverUnitId)];
        (Role, string?)[] conference = [(Role.ConferenceStaff, s.ConferenceOfficeId)];

        switch (e)
        {
            case JointAssignmentProposed:
                alerts.Add("joint.proposed", $"联合交办协商：信访事项 {caseId}", $"信访事项 {caseId} 拟由 {a.LeadAgencyId} 牵头联合交办，请于 {due} 前同意或提出争议（{SupervisionPolicy.Article24}）。",
                    AlertUrgency.Routine, Staff(a.Parties));
                break;
            case JointDisputeReferred r:
                alerts.Add("joint.dispute", $"联合交办争议待裁定：信访事项 {caseId}", $"信访事项 {caseId} 的联合交办{(r.Cause == ReferralCause.NoAnswer ? "逾期未获答复" : "存在争议")}，请于 {due} 前裁定（{SupervisionPolicy.Article24}）。",
                    AlertUrgency.Routine, [.. Resolver(), (Role.Registrar, s.BureauId)]);
                break;
            case JointAssignmentSubmitted:
                alerts.Add("joint.submitted", $"联合交办待审批：信访事项 {caseId}", $"信访事项 {caseId} 的联合交办已协商一致，请于 {due} 前审批。", AlertUrgency.Routine, conference);
                break;
            case JointReminderSent r:
                var waiting = s.Status switch
                {
                    JointStatus.Consulting => Staff(a.Parties.Where(p => !s.Answers.ContainsKey(p))),
                    JointStatus.Disputed => Resolver(),
                    _ => conference,
                };
                alerts.Add("joint.reminder", $"【提醒】联合交办：信访事项 {caseId}", $"信访事项 {caseId} 的{s.Window!.Rule}将于 {r.DueDate:uuuu-MM-dd} 届满。", AlertUrgency.Routine, waiting);
                break;
            case JointDecisionOverdue o:
                alerts.Add("joint.overdue", $"【逾期】联合交办：信访事项 {caseId}", $"信访事项 {caseId} 的联合交办决定已于 {o.DueDate:uuuu-MM-dd} 逾期。",
                    AlertUrgency.Urgent, [.. conference, (Role.Leader, s.BureauId is null ? null : org.GovernmentOf(s.BureauId)?.Id), (Role.Supervisor, s.BureauId)]);
                break;
            case JointAssignmentApproved or JointAssignmentAmended:
                alerts.Effects.Add(new SendMessage(CaseDecider.Type, caseId, new ApplyJointAssignment(Actors.System, s.AssignmentId!, a.LeadAgencyId, a.LeadDueDate, [.. a.CoHandlers])));
                alerts.Add("joint.approved", $"联合交办已批准：信访事项 {caseId}", $"信访事项 {caseId} 由 {a.LeadAgencyId} 牵头，于 {a.LeadDueDate:uuuu-MM-dd} 前办结；协办单位按各自期限完成。",
                    AlertUrgency.Routine, [.. Staff(a.Parties), (Role.Registrar, s.BureauId)]);
                break;
            case JointAssignmentRejected:
                alerts.Add("joint.rejected", $"联合交办未获批准：信访事项 {caseId}", $"信访事项 {caseId} 的联合交办未获批准，请另行转送或交办。", AlertUrgency.Routine, [(Role.Registrar, s.BureauId)]);
                break;
        }

        var (pendingWith, pendingKind) = s.Status switch
        {
            JointStatus.Consulting => (string.Join(CaseRow.ListSeparator, a.Parties.Where(p => !s.Answers.ContainsKey(p))), "answer"),
            JointStatus.Disputed => (s.ResolverUnitId, "dispute"),
            JointStatus.AwaitingApproval => (s.ConferenceOfficeId, "approval"),
            _ => (null, null),
        };
        var running = s.Window is { Status: ClockStatus.Running } w ? w : null;
        alerts.Effects.Add(new UpsertReadModel(JointRow.Model, s.ConferenceOfficeId ?? ctx.InstanceId, s.AssignmentId ?? ctx.InstanceId, ctx.Sequence, new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [JointRow.CaseId] = s.CaseId,
            [JointRow.BureauId] = s.BureauId,
            [JointRow.Status] = s.Status.ToString(),
            [JointRow.LeadAgencyId] = a.LeadAgencyId,
            [JointRow.LeadDueDate] = a.LeadDueDate.ToString("uuuu-MM-dd", null),
            [JointRow.CoHandlers] = string.Join(CaseRow.ListSeparator, a.CoHandlers.Select(c => c.UnitId)),
            [JointRow.Disputed] = s.Answers.Values.Any(x => !x.Consented) || s.Resolver is not null,
            [JointRow.PendingWith] = pendingWith,
            [JointRow.PendingKind] = pendingKind,
            [JointRow.DueDate] = running?.DueDate.ToString("uuuu-MM-dd", null),
            [JointRow.DueInstant] = running?.DueInstant.ToDateTimeOffset(),
            [JointRow.ExcludedUnits] = string.Join(CaseRow.ListSeparator, decider.Excluded(s).Order(StringComparer.Ordinal)),
            [JointRow.UpdatedAt] = ctx.Now.ToDateTimeOffset(),
        }));
        return alerts.Effects;
    }
}

/// <summary>
/// The <c>joint</c> read model: one row per joint assignment in the conference office's partition (its inbox of pending
/// approvals and disputes); row key = assignment id; version = event sequence.
/// </summary>
public static class JointRow
{
    public const string Model = "joint";
    public const string CaseId = "caseId";
    public const string BureauId = "bureauId";
    public const string Status = "status";
    public const string LeadAgencyId = "leadAgencyId";
    public const string LeadDueDate = "leadDueDate";
    public const string CoHandlers = "coHandlers";
    public const string Disputed = "disputed";

    /// <summary>The unit(s) that must act next (;-list while agencies answer).</summary>
    public const string PendingWith = "pendingWith";

    /// <summary>answer, dispute or approval.</summary>
    public const string PendingKind = "pendingKind";
    public const string DueDate = "dueDate";
    public const string DueInstant = "dueInstant";
    public const string ExcludedUnits = "excludedUnits";
    public const string UpdatedAt = "updatedAt";
}
