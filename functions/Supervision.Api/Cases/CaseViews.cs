using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;
using NodaTime.Text;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Org;
using Supervision.Orchestrations;

namespace Supervision.Api.Cases;

/// <summary>The shapes the API returns. Built from state and stored events; no query code in any staff view.</summary>
public static class CaseViews
{
    public static object Detail(
        LegalCalendar calendar, OrgDirectory org, CaseState s, long version, Instant now, IReadOnlyList<StoredEvent> events,
        IReadOnlyList<CommandOutcome> rejected) => new
        {
            id = s.CaseId,
            version,
            status = s.Status.ToString(),
            open = s.IsOpen,

            // Every 督办单 raised against the case (a red clock's, or one a supervisor issued and the ticket reported).
            tickets = s.OpenTickets,
            category = s.Category?.ToString(),
            channel = s.Channel.ToString(),
            receivedAt = s.ReceivedAt,
            receivedOn = s.ReceivedOn,
            summary = s.Summary,
            petitioner = s.Petitioner,
            groupSize = s.GroupSize,
            representatives = s.Representatives,
            major = s.Major,
            policy = s.Policy?.ToString(),
            bureau = Unit(org, s.BureauId),
            responsibleUnit = Unit(org, s.ResponsibleUnitId),
            handlingUnit = Unit(org, s.HandlingUnitId),

            // 包案领导 (decision O1): named as the directory named them when they took the case.
            owner = s.Owner is { } o
                ? new { id = o.LeaderId, name = o.Name, unit = Unit(org, o.UnitId), since = o.Since, ticketId = o.TicketId, receptionId = o.ReceptionId }
                : null,
            routing = s.Routing?.ToString(),
            mode = s.Mode?.ToString(),
            extension = s.Extension,
            replyOutcome = s.ReplyOutcome?.ToString(),
            ratings = s.Ratings,
            light = ClockViews.Of(calendar, s, now).Where(c => c.Status == ClockStatus.Running && c.Kind == Domain.Policy.ClockKind.Obligation)
            .Select(c => c.Light).DefaultIfEmpty(null).Max()?.ToString(),
            provisional = ClockViews.Of(calendar, s, now).Any(c => c.Status == ClockStatus.Running && c.Provisional),
            clocks = ClockViews.Of(calendar, s, now).Select(c => new
            {
                c.Name,
                c.Rule,
                c.Article,
                kind = c.Kind.ToString(),
                status = c.Status.ToString(),
                responsibleUnit = Unit(org, c.ResponsibleUnitId),
                c.DueDate,
                c.DueInstant,
                c.Provisional,
                light = c.Light?.ToString(),
                display = c.Display.ToString(),
                level = c.Level.ToString(),

                // A countdown only for a running duty (Counting/Overdue): a stopped clock has no time left, a lapsed window is not overdue.
                remainingHours = Counts(c) ? Math.Round(c.Remaining.TotalHours, 1) : (double?)null,
                workingDaysLeft = Counts(c) ? c.WorkingDaysLeft : (int?)null,
                explanation = c.Explanation.Lines,
                rolledBecause = c.Explanation.RolledBecause,
                calendarVersion = c.Explanation.CalendarVersion,
            }),
            timeline = events.Select(e => new
            {
                e.Sequence,
                type = e.EventType,
                at = e.At,
                actor = Actors.Recorded(e.Actor),
                actorName = org.PersonById(e.Actor)?.Name,
                data = TimelineData(e.Data),
            }),

            // Steps refused inside the orchestration (e.g. one that lost a race to another officer's step) stay visible.
            rejected = rejected.OrderBy(r => r.At).Select(r => new
            {
                at = r.At,
                actor = Actors.Recorded(r.Actor),
                actorName = org.PersonById(r.Actor)?.Name,
                command = r.Rejection?.Command,
                reason = r.Rejection?.Reason,
            }),
        };

    /// <summary>What the petitioner sees with the query code: progress and deadlines, no internal names or people.</summary>
    public static object Petitioner(LegalCalendar calendar, CaseState s, Instant now, IReadOnlyList<StoredEvent> events) => new
    {
        id = s.CaseId,
        status = s.Status.ToString(),
        receivedOn = s.ReceivedOn,
        replyOutcome = s.ReplyOutcome?.ToString(),
        provisional = ClockViews.Of(calendar, s, now).Any(c => c.Status == ClockStatus.Running && c.Provisional),
        deadlines = ClockViews.Of(calendar, s, now).Where(c => c.Status == ClockStatus.Running)
            .Select(c => new { c.Rule, c.DueDate, c.Provisional, display = c.Display.ToString() }),
        steps = PetitionerSteps(events),
        replies = events.Select(e => Parse(e) switch
        {
            ReplyIssued r => (File: r.OpinionFile, Text: "处理意见书", On: r.ServedOn),
            ReviewOpinionIssued r => (File: r.OpinionFile, Text: "复查意见书", On: r.ServedOn),
            ReExaminationOpinionIssued r => (File: r.OpinionFile, Text: "复核意见书", On: r.ServedOn),
            _ => default,
        }).Where(r => r.File is not null).Select(r => new { fileId = r.File, text = r.Text, on = r.On }),
    };

    /// <summary>
    /// The steps a petitioner is told of, dated, in plain words: no unit, person or internal step (objections, routing
    /// targets, tickets) — Art. 23's notices and the decisions served on them.
    /// </summary>
    private static IEnumerable<object> PetitionerSteps(IReadOnlyList<StoredEvent> events)
    {
        foreach (var e in events)
        {
            var on = LegalCalendar.LocalDateOf(Instant.FromDateTimeOffset(e.At));
            (LocalDate On, string Text)? step = Parse(e) switch
            {
                CaseRegistered r => (r.ReceivedAt.InZone(LegalCalendar.Zone).Date, "信访事项已登记"),
                CaseRouted r => (on, r.Kind == RoutingKind.Assign ? "已交办有权处理机关" : "已转送有权处理机关"),
                CaseAccepted r => (r.AcceptedOn, "有权处理机关已受理"),
                ExtensionApproved r => (r.PetitionerToldOn, $"办理期限延长 {r.Days} 日"),
                ReplyIssued r => (r.ServedOn, "已出具处理意见"),
                ReviewRequested r => (r.ReceivedOn, "复查请求已收到"),
                ReviewOpinionIssued r => (r.ServedOn, "已出具复查意见"),
                ReExaminationRequested r => (r.ReceivedOn, "复核请求已收到"),
                HearingStarted r => (r.On, "复核听证开始（听证时间不计入期限）"),
                HearingEnded r => (r.On, "复核听证结束"),
                ReExaminationOpinionIssued r => (r.ServedOn, "已出具复核意见，信访事项终结"),
                HandlingRated => (on, "已收到您的评价"),
                CaseReferredOut => (on, "已依法转入其他程序办理"),
                _ => null,
            };
            if (step is { } st)
            {
                yield return new { on = st.On, text = st.Text };
            }
        }
    }

    private static CaseEvent? Parse(StoredEvent e)
    {
        try
        {
            return JsonSerializer.Deserialize<CaseEvent>(e.Data, CaseJson.Options);
        }
        catch (JsonException)
        {
            return null; // an event type this build does not know: not shown to the petitioner
        }
    }

    /// <summary>
    /// A list row. <c>duty</c> is the earliest running obligation with its working-day countdown as of
    /// <paramref name="now"/>, so a list page needs no call per case (the agency page refreshes every few seconds).
    /// </summary>
    public static object ListItem(IReadOnlyDictionary<string, object?> row, LegalCalendar calendar, Instant now) => new
    {
        id = row.GetValueOrDefault(CaseRow.CaseId),
        status = row.GetValueOrDefault(CaseRow.Status),
        open = row.GetValueOrDefault(CaseRow.Open),
        category = row.GetValueOrDefault(CaseRow.Category),
        channel = row.GetValueOrDefault(CaseRow.Channel),
        responsibleUnitId = row.GetValueOrDefault(CaseRow.ResponsibleUnitId),
        light = row.GetValueOrDefault(CaseRow.Light),
        nextRule = row.GetValueOrDefault(CaseRow.NextRule),
        nextDue = row.GetValueOrDefault(CaseRow.NextDue),
        nextDueDate = row.GetValueOrDefault(CaseRow.NextDueDate),
        overdue = row.GetValueOrDefault(CaseRow.Overdue),
        major = row.GetValueOrDefault(CaseRow.Major),
        owner = row.GetValueOrDefault(CaseRow.Owner),
        receivedOn = row.GetValueOrDefault(CaseRow.ReceivedOn),
        provisional = row.GetValueOrDefault(CaseRow.Provisional) as bool? ?? false,
        duty = Duty(row, calendar, now),
    };

    private static object? Duty(IReadOnlyDictionary<string, object?> row, LegalCalendar calendar, Instant now)
    {
        if (row.GetValueOrDefault(CaseRow.DutyClock) is not string clock
            || row.GetValueOrDefault(CaseRow.DutyDueDate) is not string text
            || LocalDatePattern.Iso.Parse(text) is not { Success: true } due)
        {
            return null; // no running duty, or a row written before dutyDueDate (rewritten at the case's next event)
        }

        return new
        {
            clock,
            dueDate = text,
            dueInstant = row.GetValueOrDefault(CaseRow.DutyDue),
            workingDaysLeft = calendar.WorkingDaysLeft(LegalCalendar.LocalDateOf(now), due.Value),

            // Past the due instant: on a rest day straight after the due date workingDaysLeft is 0, yet the duty is late.
            overdue = row.GetValueOrDefault(CaseRow.DutyDue) is DateTimeOffset at && now >= Instant.FromDateTimeOffset(at),
        };
    }

    private static bool Counts(ClockView c) => c.Display is ClockDisplay.Counting or ClockDisplay.Overdue;

    /// <summary>
    /// An event's data for the timeline: a petitioner actor shown as <c>petitioner</c> (old events may hold the code in
    /// <c>by</c>) and no query code or hash, whatever the event's age.
    /// </summary>
    private static JsonNode? TimelineData(string data)
    {
        var node = JsonNode.Parse(data);
        if (node is JsonObject o)
        {
            foreach (var name in o.Select(p => p.Key).ToList())
            {
                if (name.StartsWith("queryCode", StringComparison.OrdinalIgnoreCase))
                {
                    o.Remove(name);
                }
                else if (o[name] is JsonValue v && v.TryGetValue<string>(out var text) && Actors.IsPetitioner(text))
                {
                    o[name] = Actors.Recorded(text);
                }
            }
        }

        return node;
    }

    private static object? Unit(OrgDirectory org, string? id) => id is null ? null : new { id, name = org.Unit(id)?.Name };
}
