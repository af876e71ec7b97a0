using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Domain.Policy;

namespace Supervision.Domain.Cases;

/// <summary>
/// What each case event implies outside the case: the <c>cases</c> read-model row, and alerts to officers and
/// leaders. Alerts carry the case id, the clock's rule and due date only — no petitioner data — and never address a
/// unit the accusation guard excludes.
/// </summary>
internal static class CaseEffects
{
    public static IReadOnlyList<Effect> Of(CaseDecider decider, CaseState before, CaseEvent e, CaseState after, EffectContext ctx)
    {
        var org = decider.Org;
        var effects = new List<Effect>();
        var id = after.CaseId ?? ctx.InstanceId;
        var link = $"/cases/{id}";
        var profile = decider.Profile(after);
        var excluded = AccusationGuard.ExcludedUnits(org, after);

        void Alert(string kind, string subject, string body, AlertUrgency urgency, params (Role Role, string? Unit)[] to) =>
            AlertWith(kind, subject, body, urgency, null, to);

        // The owning leader (包案领导, decision O2) hears of every overdue step, as a person whatever their roles; never
        // when the accusation guard excludes them.
        var owner = after.Owner is { } o && !AccusationGuard.ExcludesPerson(org, after, o.LeaderId) ? AlertAudience.Person(o.LeaderId) : null;

        void AlertWith(string kind, string subject, string body, AlertUrgency urgency, AlertDeadline? deadline, (Role Role, string? Unit)[] to, AlertAudience? person = null)
        {
            var audiences = to.Where(a => a.Unit is not null && !excluded.Contains(a.Unit))
                .Select(a => new AlertAudience(RoleNames.Of(a.Role), a.Unit!))
                .Append(person)
                .OfType<AlertAudience>()
                .Distinct()
                .ToList();
            if (audiences.Count > 0)
            {
                effects.Add(new RaiseAlert(new Alert(kind, subject, body, audiences, urgency, link, id, deadline)));
            }
        }

        switch (e)
        {
            case CaseRouted r:
                Alert("case.routed", $"新{(r.Kind == RoutingKind.Assign ? "交办" : "转送")}信访事项 {id}",
                    $"信访事项 {id} 已{(r.Kind == RoutingKind.Assign ? $"交办，要求 {r.AssignedDueDate:uuuu-MM-dd} 前办结并报告" : "转送")}；请于 15 日内受理告知，或于 5 个工作日内提出异议（《信访工作条例》第二十三条）。",
                    AlertUrgency.Routine, (Role.HandlingOfficer, r.AgencyId), (Role.AgencyHead, r.AgencyId));
                break;
            case CaseReferredOut { Channel: ReferralChannel.DisciplineInspection, TargetUnitId: { } target }:
                // Arts. 28, 31: the receiving discipline-inspection body must know; the accusation guard (in Alert) drops an accused unit.
                Alert("case.referred", $"移送纪检监察信访事项 {id}",
                    $"信访事项 {id} 已移送纪检监察机关依规依纪依法处理（《信访工作条例》第三十一条），请登记接收。",
                    AlertUrgency.Routine, (Role.Registrar, target), (Role.HandlingOfficer, target), (Role.AgencyHead, target));
                break;
            case ObjectionRaised:
                Alert("case.objection", $"信访事项 {id} 承办单位提出异议", $"信访事项 {id} 的承办单位认为不属其职责范围，请核实。",
                    AlertUrgency.Routine, (Role.Registrar, after.BureauId), (Role.Supervisor, after.BureauId));
                break;
            case ReviewRequested r:
                Alert("case.review-requested", $"信访事项 {id} 申请复查", $"信访事项 {id} 已申请复查，请于 30 日内出具复查意见（第三十五条）。",
                    AlertUrgency.Routine, (Role.HandlingOfficer, r.ReviewBodyId), (Role.AgencyHead, r.ReviewBodyId));
                break;
            case ReExaminationRequested r:
                Alert("case.reexamination-requested", $"信访事项 {id} 申请复核", $"信访事项 {id} 已申请复核，请于 30 日内出具复核意见（第三十六条，听证时间不计入）。",
                    AlertUrgency.Routine, (Role.HandlingOfficer, r.BodyId), (Role.AgencyHead, r.BodyId));
                break;
            case MajorItemReported:
                {
                    var at = after.RegisteredBy!;
                    Alert("case.major", $"【重大紧急】信访事项 {id}", $"信访事项 {id} 被报告为重大紧急事项，请及时处置（《信访工作条例》第二十五条）。",
                        AlertUrgency.Urgent,
                        (Role.Leader, org.OfLevel(at, UnitType.PartyCommittee)?.Id), (Role.Leader, org.GovernmentOf(at)?.Id),
                        (Role.ConferenceStaff, org.ConferenceOfficeOf(at)?.Id), (Role.Supervisor, after.BureauId));
                    break;
                }

            case HandlingRated { Rating: Rating.Dissatisfied } r:
                Alert("case.dissatisfied", $"信访事项 {id} 评价为不满意", $"信访人对信访事项 {id} 的{r.Stage}意见不满意，请安排回访。",
                    AlertUrgency.Routine, (Role.Supervisor, after.BureauId));
                break;
            case OwnershipTaken t:
                AlertWith("case.owned", $"信访事项 {id} 由{t.LeaderName}包案",
                    $"信访事项 {id} 自 {t.On:uuuu-MM-dd} 由{t.LeaderName}包案（{(t.TicketId is null ? "领导决定" : "联席会议决定")}）；办理中每一项超期都将同时报告包案领导。",
                    AlertUrgency.Routine, null,
                    [(Role.HandlingOfficer, after.HandlingUnitId), (Role.AgencyHead, after.HandlingUnitId ?? after.ResponsibleUnitId), (Role.Supervisor, after.BureauId)],
                    owner);
                break;
            case ClockReminderSent c:
                ClockAlert(c.Name, ClockLevel.Reminder, profile.Reminder);
                break;
            case ClockWarningRaised c:
                ClockAlert(c.Name, ClockLevel.Warning, profile.Warning);
                break;
            case ClockCriticalRaised c:
                ClockAlert(c.Name, ClockLevel.Critical, profile.Critical);
                break;
            case ClockOverdue c:
                ClockAlert(c.Name, ClockLevel.Overdue, profile.Overdue);
                break;
        }

        void ClockAlert(string name, ClockLevel level, AlertUrgency urgency)
        {
            var clock = after.Clock(name)!;
            var unit = clock.ResponsibleUnitId;
            var bureauClock = org.Unit(unit)?.Type == UnitType.PetitionBureau;
            var handler = bureauClock ? Role.Registrar : Role.HandlingOfficer;
            var head = bureauClock ? Role.Supervisor : Role.AgencyHead;
            var (tag, kind) = level switch
            {
                ClockLevel.Reminder => ("提醒", "deadline.reminder"),
                ClockLevel.Warning => ("预警", "deadline.warning"),
                ClockLevel.Critical => ("临期", "deadline.critical"),
                _ => ("超期", "deadline.overdue"),
            };
            var subject = $"【{tag}】信访事项 {id} {clock.Rule}";
            var body = level == ClockLevel.Overdue
                ? $"信访事项 {id} 的{clock.Rule}已于 {clock.DueDate:uuuu-MM-dd} 届满（{clock.Article}），已超期。"
                : $"信访事项 {id} 的{clock.Rule}将于 {clock.DueDate:uuuu-MM-dd} 届满（{clock.Article}）。";
            (Role, string?)[] to = level switch
            {
                ClockLevel.Reminder => [(handler, unit)],
                ClockLevel.Warning => [(handler, unit), (head, unit)],
                ClockLevel.Critical => [(handler, unit), (head, unit), (Role.Supervisor, after.BureauId)],
                _ => [(head, unit), (Role.Supervisor, after.BureauId), (Role.Leader, org.GovernmentOf(unit)?.Id)],
            };
            var alertLevel = level switch
            {
                ClockLevel.Reminder => AlertLevel.Reminder,
                ClockLevel.Warning => AlertLevel.Warning,
                ClockLevel.Critical => AlertLevel.Critical,
                _ => AlertLevel.Overdue,
            };
            AlertWith(kind, subject, body, urgency, new AlertDeadline(clock.Name, clock.Rule, clock.Article, clock.DueDate, clock.DueInstant, alertLevel), to,
                level == ClockLevel.Overdue ? owner : null);
        }

        // Supervision tickets (督办单): raised on a red clock, closed when the case ends (CaseDecider.Supervision.cs).
        effects.AddRange(decider.SupervisionEffects(before, e, after));

        // The repeat analysis's rows (one per petition; PetitionRow): before the case row, whose effect tests take as the last.
        effects.AddRange(PetitionRow.Effects(before, e, after, ctx.Sequence));

        // The row lives in the responsible unit's partition; when responsibility moves, the old row goes.
        var partition = after.ResponsibleUnitId ?? after.RegisteredBy;
        var old = before.ResponsibleUnitId;
        if (old is not null && old != partition)
        {
            effects.Add(new DeleteReadModel(CaseRow.Model, old, id, ctx.Sequence));
        }

        if (partition is not null)
        {
            effects.Add(new UpsertReadModel(CaseRow.Model, partition, id, ctx.Sequence, CaseRow.Values(org, after, ctx.Now)));
        }

        // The analysis aggregates (分析研判, AnalysisCounters): last, so no other effect's id moves.
        effects.AddRange(AnalysisCounters.Effects(org, before, e, after, ctx.Sequence, ctx.Now));
        return effects;
    }
}
