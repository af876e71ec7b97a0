using System.Text.Json;
using NodaTime;
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
            routing = s.Routing?.ToString(),
            mode = s.Mode?.ToString(),
            extension = s.Extension,
            replyOutcome = s.ReplyOutcome?.ToString(),
            ratings = s.Ratings,
            light = ClockViews.Of(calendar, s, now).Where(c => c.Status == ClockStatus.Running && c.Kind == Domain.Policy.ClockKind.Obligation)
            .Select(c => (Light?)c.Light).DefaultIfEmpty(null).Max()?.ToString(),
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
                light = c.Light.ToString(),
                level = c.Level.ToString(),
                remainingHours = Math.Round(c.Remaining.TotalHours, 1),
                c.WorkingDaysLeft,
                explanation = c.Explanation.Lines,
                rolledBecause = c.Explanation.RolledBecause,
                calendarVersion = c.Explanation.CalendarVersion,
            }),
            timeline = events.Select(e => new
            {
                e.Sequence,
                type = e.EventType,
                at = e.At,
                e.Actor,
                actorName = org.PersonById(e.Actor)?.Name,
                data = JsonDocument.Parse(e.Data).RootElement,
            }),

            // Steps refused inside the orchestration (e.g. one that lost a race to another officer's step) stay visible.
            rejected = rejected.OrderBy(r => r.At).Select(r => new
            {
                at = r.At,
                r.Actor,
                actorName = org.PersonById(r.Actor)?.Name,
                command = r.Rejection?.Command,
                reason = r.Rejection?.Reason,
            }),
        };

    /// <summary>What the petitioner sees with the query code: progress and deadlines, no internal names or people.</summary>
    public static object Petitioner(LegalCalendar calendar, CaseState s, Instant now) => new
    {
        id = s.CaseId,
        status = s.Status.ToString(),
        receivedOn = s.ReceivedOn,
        replyOutcome = s.ReplyOutcome?.ToString(),
        deadlines = ClockViews.Of(calendar, s, now).Where(c => c.Status == ClockStatus.Running).Select(c => new { c.Rule, c.DueDate }),
    };

    public static object ListItem(IReadOnlyDictionary<string, object?> row) => new
    {
        id = row.GetValueOrDefault(CaseRow.CaseId),
        status = row.GetValueOrDefault(CaseRow.Status),
        open = row.GetValueOrDefault(CaseRow.Open),
        category = row.GetValueOrDefault(CaseRow.Category),
        responsibleUnitId = row.GetValueOrDefault(CaseRow.ResponsibleUnitId),
        light = row.GetValueOrDefault(CaseRow.Light),
        nextRule = row.GetValueOrDefault(CaseRow.NextRule),
        nextDue = row.GetValueOrDefault(CaseRow.NextDue),
        nextDueDate = row.GetValueOrDefault(CaseRow.NextDueDate),
        overdue = row.GetValueOrDefault(CaseRow.Overdue),
        major = row.GetValueOrDefault(CaseRow.Major),
        receivedOn = row.GetValueOrDefault(CaseRow.ReceivedOn),
    };

    private static object? Unit(OrgDirectory org, string? id) => id is null ? null : new { id, name = org.Unit(id)?.Name };
}
