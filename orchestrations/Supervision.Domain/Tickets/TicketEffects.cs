using Supervision.Domain.Cases;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;

namespace Supervision.Domain.Tickets;

/// <summary>
/// What each ticket event implies outside the ticket: alerts up the ladder (never to a unit the accusation guard
/// excludes, never with petitioner data), commands to the case, and the <c>tickets</c> read-model row.
/// </summary>
internal static class TicketEffects
{
    public static IReadOnlyList<Effect> Of(TicketDecider decider, TicketState before, TicketEvent e, TicketState after, EffectContext ctx)
    {
        var org = decider.Org;
        var excluded = AccusationGuard.ExcludedUnits(org, after.Category, after.AccusedUnitId, after.AccusedPersonId);
        var alerts = new AlertList(excluded, $"/tickets/{after.TicketId ?? ctx.InstanceId}", after.CaseId);
        var effects = alerts.Effects;
        var caseId = after.CaseId ?? string.Empty;
        var due = after.Response?.DueDate.ToString("uuuu-MM-dd", null);
        var form = FormNames.Of(after.Form);
        void ToCase(CaseCommand command) => effects.Add(new SendMessage(CaseDecider.Type, caseId, command));

        switch (e)
        {
            case TicketRaised r:
                alerts.Add("ticket.raised", $"【{form}】信访事项 {caseId}", $"信访事项 {caseId}：{FormNames.Of(r.Ground)}。{r.Problem} 请于 {due} 前反馈（{SupervisionPolicy.Article40}）。",
                    r.Form >= SupervisionForm.Interview ? AlertUrgency.Urgent : AlertUrgency.Routine, Audience(org, after, r.Form));
                ToCase(new RecordTicket(Actors.System, r.TicketId));
                break;
            case TicketEscalated x:
                alerts.Add("ticket.escalated", $"【{form}】信访事项 {caseId} 督办升级", $"信访事项 {caseId} 的督办{(x.Cause == EscalationCause.Unanswered ? "逾期未反馈" : "反馈被退回")}，升级为{form}，请于 {due} 前反馈。",
                    AlertUrgency.Urgent, Audience(org, after, x.To));
                break;
            case TicketReminderSent:
                alerts.Add("ticket.reminder", $"【督办提醒】信访事项 {caseId}", $"信访事项 {caseId} 的{form}将于 {due} 到期，请及时反馈。",
                    AlertUrgency.Routine, Audience(org, after, SupervisionForm.Reminder));
                break;
            case TicketDeadlineMissed:
                alerts.Add("ticket.deadline-missed", $"【督办逾期】信访事项 {caseId}", $"信访事项 {caseId} 提请联席会议后仍逾期未反馈（{due}）。",
                    AlertUrgency.Urgent, Audience(org, after, SupervisionForm.ConferenceReferral));
                break;
            case TicketResponded:
                alerts.Add("ticket.responded", $"信访事项 {caseId} 督办已反馈", $"信访事项 {caseId} 的{form}已反馈，请审核。",
                    AlertUrgency.Routine, [(Role.Supervisor, after.BureauId)]);
                break;
            case ConferenceDecided d:
                Conference(d);
                break;
            case AccountabilityRecommended a:
                alerts.Add("ticket.accountability", $"问责建议：信访事项 {caseId}", $"督办信访事项 {caseId} 中发现应予问责的情形，请于 {a.ReplyClock.DueDate:uuuu-MM-dd} 前书面答复（{SupervisionPolicy.Article40}）。",
                    AlertUrgency.Routine, [(Role.AgencyHead, a.TargetUnitId), (Role.Leader, a.TargetUnitId)]);
                break;
            case AccountabilityReplyOverdue o:
                alerts.Add("ticket.accountability-overdue", $"【逾期】问责建议未答复：信访事项 {caseId}", $"问责建议的书面答复已于 {o.DueDate:uuuu-MM-dd} 届满，尚未答复。",
                    AlertUrgency.Urgent, [(Role.ConferenceStaff, ConferenceOffice(org, after)), (Role.Supervisor, after.BureauId)]);
                break;
        }

        void Conference(ConferenceDecided d)
        {
            if (d.Listed || d.Circulated)
            {
                ToCase(new MarkSupervision(Actors.System, after.TicketId!, d.Listed, d.Circulated));
            }

            if (d.ExtensionDays is { } days)
            {
                ToCase(new ApplyConferenceExtension(Actors.System, after.TicketId!, days, d.Note ?? "联席会议决定延期"));
            }

            if (d.ReassignTo is { } to)
            {
                ToCase(new ReassignCase(Actors.System, after.TicketId!, to, d.Note ?? "联席会议决定改交"));
            }

            if (d.OwnerLeaderId is { } leader)
            {
                ToCase(new AssignOwnership(Actors.System, after.TicketId!, leader, d.Note ?? "联席会议决定领导包案"));
            }

            var what = string.Join("、", new[] { d.Listed ? "挂牌督办" : null, d.Circulated ? "通报" : null, d.ReassignTo is null ? null : "改交办理", d.ExtensionDays is { } n ? $"延期 {n} 日" : null, d.OwnerLeaderId is null ? null : "领导包案" }.OfType<string>());
            alerts.Add("ticket.conference-decided", $"联席会议决定：信访事项 {caseId}", $"联席会议办公室对信访事项 {caseId} 决定：{what}。",
                d.Listed || d.Circulated ? AlertUrgency.Urgent : AlertUrgency.Routine,
                [.. Audience(org, after, SupervisionForm.ConferenceReferral), (Role.HandlingOfficer, d.ReassignTo), (Role.AgencyHead, d.ReassignTo)]);
        }

        effects.Add(new UpsertReadModel(TicketRow.Model, after.AgencyId ?? ctx.InstanceId, after.TicketId ?? ctx.InstanceId, ctx.Sequence, TicketRow.Values(org, after, ctx.Now)));
        return effects;
    }

    /// <summary>
    /// Who hears of a ticket at each form, one level higher per step: agency staff; + the bureau's supervisor (文书);
    /// + the leader of the agency's government (约谈, 实地); + the conference office (提请联席会议).
    /// </summary>
    public static IEnumerable<(Role Role, string? Unit)> Audience(OrgDirectory org, TicketState s, SupervisionForm form)
    {
        var agency = s.AgencyId;
        var bureauIsAgency = org.Unit(agency)?.Type == UnitType.PetitionBureau;
        yield return (bureauIsAgency ? Role.Registrar : Role.HandlingOfficer, agency);
        yield return (bureauIsAgency ? Role.Supervisor : Role.AgencyHead, agency);
        if (form >= SupervisionForm.Written)
        {
            yield return (Role.Supervisor, s.BureauId);
        }

        if (form >= SupervisionForm.Interview)
        {
            yield return (Role.Leader, agency is null ? null : org.GovernmentOf(agency)?.Id);
        }

        if (form >= SupervisionForm.ConferenceReferral)
        {
            yield return (Role.ConferenceStaff, ConferenceOffice(org, s));
        }
    }

    public static string? ConferenceOffice(OrgDirectory org, TicketState s) => s.BureauId is null ? null : org.ConferenceOfficeOf(s.BureauId)?.Id;
}

/// <summary>
/// The <c>tickets</c> read model: one row per ticket, partition = supervised agency, row key = ticket id, version =
/// event sequence. For the agency's, the bureau's and the conference office's inboxes; no petitioner data.
/// </summary>
public static class TicketRow
{
    public const string Model = "tickets";
    public const string CaseId = "caseId";
    public const string AgencyId = "agencyId";
    public const string BureauId = "bureauId";
    public const string ConferenceOfficeId = "conferenceOfficeId";
    public const string Form = "form";
    public const string Ground = "ground";
    public const string Status = "status";
    public const string Open = "open";
    public const string DueDate = "dueDate";
    public const string DueInstant = "dueInstant";
    public const string Escalations = "escalations";
    public const string Listed = "listed";
    public const string Circulated = "circulated";
    public const string AccountabilityTarget = "accountabilityTarget";
    public const string AccountabilityDue = "accountabilityDue";
    public const string AccountabilityReplied = "accountabilityReplied";
    public const string ExcludedUnits = "excludedUnits";
    public const string UpdatedAt = "updatedAt";

    public static IReadOnlyDictionary<string, object?> Values(OrgDirectory org, TicketState s, NodaTime.Instant now)
    {
        var running = s.Response is { Status: ClockStatus.Running } r ? r : null;
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [CaseId] = s.CaseId,
            [AgencyId] = s.AgencyId,
            [BureauId] = s.BureauId,
            [ConferenceOfficeId] = TicketEffects.ConferenceOffice(org, s),
            [Form] = s.Form.ToString(),
            [Ground] = s.Ground.ToString(),
            [Status] = s.Status.ToString(),
            [Open] = s.IsOpen,
            [DueDate] = running?.DueDate.ToString("uuuu-MM-dd", null),
            [DueInstant] = running?.DueInstant.ToDateTimeOffset(),
            [Escalations] = s.Escalations,
            [Listed] = s.Listed,
            [Circulated] = s.Circulated,
            [AccountabilityTarget] = s.Accountability?.TargetUnitId,
            [AccountabilityDue] = s.Accountability?.ReplyClock.DueDate.ToString("uuuu-MM-dd", null),
            [AccountabilityReplied] = s.Accountability is null ? null : s.Accountability.ReplyFile is not null,
            [ExcludedUnits] = string.Join(CaseRow.ListSeparator, AccusationGuard.ExcludedUnits(org, s.Category, s.AccusedUnitId, s.AccusedPersonId).Order(StringComparer.Ordinal)),
            [UpdatedAt] = now.ToDateTimeOffset(),
        };
    }
}
