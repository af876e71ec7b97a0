using NodaTime;
using Supervision.Domain.Org;
using Supervision.Domain.Policy;

namespace Supervision.Domain.Cases;

/// <summary>
/// The <c>cases</c> read-model row: one per case, partition = responsible unit id, row key = case id, version = event
/// sequence. Enough to list by unit / status / light / due-within-N-days without loading state. Carries no petitioner
/// personal data (the query code only as a hash).
/// </summary>
public static class CaseRow
{
    public const string Model = "cases";

    /// <summary>Separator of list-valued columns.</summary>
    public const char ListSeparator = ';';

    public const string CaseId = "caseId";
    public const string Status = "status";
    public const string Open = "open";
    public const string Category = "category";
    public const string Channel = "channel";
    public const string Intake = "intake";
    public const string RegisteredBy = "registeredBy";
    public const string BureauId = "bureauId";
    public const string ResponsibleUnitId = "responsibleUnitId";
    public const string HandlingUnitId = "handlingUnitId";
    public const string InvolvedUnits = "involvedUnits";
    public const string ExcludedUnits = "excludedUnits";
    public const string AccusedPersonId = "accusedPersonId";
    public const string Major = "major";
    public const string Policy = "policy";
    public const string ReceivedOn = "receivedOn";
    public const string Light = "light";
    public const string NextClock = "nextClock";
    public const string NextRule = "nextRule";
    public const string NextDue = "nextDue";
    public const string NextDueDate = "nextDueDate";
    public const string Overdue = "overdue";
    public const string DutyClock = "dutyClock";
    public const string DutyDue = "dutyDue";
    public const string RoutingKind = "routingKind";
    public const string Mode = "mode";
    public const string ExtensionDays = "extensionDays";
    public const string ReplyOutcome = "replyOutcome";
    public const string LastRating = "lastRating";
    public const string RepeatCount = "repeatCount";
    public const string Fingerprint = "fingerprint";
    public const string QueryCodeHash = "queryCodeHash";
    public const string UpdatedAt = "updatedAt";
    public const string Listed = "listed";
    public const string Circulated = "circulated";
    public const string OpenTickets = "openTickets";
    public const string JointAssignmentId = "jointAssignmentId";
    public const string CoHandlers = "coHandlers";

    /// <summary>The row's values as of <paramref name="now"/> (the light is the worst among running obligation clocks).</summary>
    public static IReadOnlyDictionary<string, object?> Values(OrgDirectory org, CaseState s, Instant now)
    {
        // Paused duties (a hearing) keep showing the light they had when the pause began.
        var obligations = s.ActiveClocks.Where(c => c.Kind == ClockKind.Obligation).ToList();
        var next = s.ActiveClocks.OrderBy(c => c.DueInstant).FirstOrDefault();
        var duty = obligations.Where(c => c.Status == ClockStatus.Running).OrderBy(c => c.DueInstant).FirstOrDefault();
        var light = obligations.Count == 0 ? (Light?)null : obligations.Max(c => c.LightAt(now));
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [CaseId] = s.CaseId,
            [Status] = s.Status.ToString(),
            [Open] = s.IsOpen,
            [Category] = s.Category?.ToString(),
            [Channel] = s.Channel.ToString(),
            [Intake] = s.Intake.ToString(),
            [RegisteredBy] = s.RegisteredBy,
            [BureauId] = s.BureauId,
            [ResponsibleUnitId] = s.ResponsibleUnitId,
            [HandlingUnitId] = s.HandlingUnitId,
            [InvolvedUnits] = string.Join(ListSeparator, s.InvolvedUnits),
            [ExcludedUnits] = string.Join(ListSeparator, AccusationGuard.ExcludedUnits(org, s).Order(StringComparer.Ordinal)),
            [AccusedPersonId] = s.Category == Cases.Category.Accusation ? s.AccusedPersonId : null,
            [Major] = s.Major,
            [Policy] = s.Policy?.ToString(),
            [ReceivedOn] = s.ReceivedOn?.ToString("uuuu-MM-dd", null),
            [Light] = light?.ToString(),
            [NextClock] = next?.Name,
            [NextRule] = next?.Rule,
            [NextDue] = next?.DueInstant.ToDateTimeOffset(),
            [NextDueDate] = next?.DueDate.ToString("uuuu-MM-dd", null),
            [Overdue] = obligations.Any(c => c.LevelAt(now) == ClockLevel.Overdue),
            [DutyClock] = duty?.Name,
            [DutyDue] = duty?.DueInstant.ToDateTimeOffset(),
            [RoutingKind] = s.Routing?.ToString(),
            [Mode] = s.Mode?.ToString(),
            [ExtensionDays] = s.Extension?.Days ?? 0,
            [ReplyOutcome] = s.ReplyOutcome?.ToString(),
            [LastRating] = s.Ratings.LastOrDefault()?.Rating.ToString(),
            [RepeatCount] = s.Repeats.Count,
            [Fingerprint] = s.Fingerprint,
            [QueryCodeHash] = s.QueryCode is null ? null : CaseHashes.QueryCode(s.QueryCode),
            [UpdatedAt] = now.ToDateTimeOffset(),
            [Listed] = s.Listed,
            [Circulated] = s.Circulated,
            [OpenTickets] = s.OpenTickets.Count,
            [JointAssignmentId] = s.JointAssignmentId,
            [CoHandlers] = string.Join(ListSeparator, s.CoHandlers.Select(c => c.UnitId)),
        };
    }
}

/// <summary>A clock as the API shows it: deadline with explanation, light and countdown.</summary>
/// <param name="Remaining">Time until the due instant; negative once overdue.</param>
/// <param name="WorkingDaysLeft">Working days from today (inclusive) to the due date (inclusive); negative once overdue.</param>
public sealed record ClockView(
    string Name,
    string Rule,
    string Article,
    LegalBasis Basis,
    ClockKind Kind,
    ClockStatus Status,
    string ResponsibleUnitId,
    LocalDate DueDate,
    Instant DueInstant,
    bool Provisional,
    Light Light,
    ClockLevel Level,
    Duration Remaining,
    int WorkingDaysLeft,
    int Generation,
    Calendar.DeadlineExplanation Explanation);

public static class ClockViews
{
    /// <summary>Every clock of the case (running ones first), as of <paramref name="now"/>.</summary>
    public static IReadOnlyList<ClockView> Of(Calendar.LegalCalendar calendar, CaseState state, Instant now) =>
        [.. state.Clocks.Values.OrderBy(c => c.IsActive ? 0 : 1).ThenBy(c => c.DueInstant).Select(c => Of(calendar, c, now))];

    public static ClockView Of(Calendar.LegalCalendar calendar, LegalClock c, Instant now)
    {
        var today = Calendar.LegalCalendar.LocalDateOf(now);
        var left = calendar.WorkingDaysBetween(today.PlusDays(-1), c.DueDate);

        // A finished clock keeps the light it ended with.
        var at = c.IsActive ? now : c.EndedAt ?? now;
        return new ClockView(
            c.Name, c.Rule, c.Article, c.Basis, c.Kind, c.Status, c.ResponsibleUnitId, c.DueDate, c.DueInstant, c.Provisional,
            c.LightAt(at), c.LevelAt(at), c.DueInstant - now, left, c.Generation, calendar.Compute(c.Request()).Explanation);
    }
}
