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
    public const string DutyDueDate = "dutyDueDate";
    public const string RoutingKind = "routingKind";
    public const string Mode = "mode";
    public const string ExtensionDays = "extensionDays";
    public const string ReplyOutcome = "replyOutcome";
    public const string LastRating = "lastRating";
    public const string RepeatCount = "repeatCount";
    public const string Fingerprint = "fingerprint";
    public const string QueryCodeHash = "queryCodeHash";

    /// <summary>True when the next or the duty clock's due date rests on a provisional holiday calendar (no notice yet).</summary>
    public const string Provisional = "provisional";
    public const string UpdatedAt = "updatedAt";
    public const string Listed = "listed";
    public const string Circulated = "circulated";
    public const string OpenTickets = "openTickets";
    public const string JointAssignmentId = "jointAssignmentId";
    public const string CoHandlers = "coHandlers";

    /// <summary>The owning leader's person id (领导包案), when a leader owns the case; the leader page lists by it.</summary>
    public const string Owner = "owner";

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
            [DutyDueDate] = duty?.DueDate.ToString("uuuu-MM-dd", null),
            [RoutingKind] = s.Routing?.ToString(),
            [Mode] = s.Mode?.ToString(),
            [ExtensionDays] = s.Extension?.Days ?? 0,
            [ReplyOutcome] = s.ReplyOutcome?.ToString(),
            [LastRating] = s.Ratings.LastOrDefault()?.Rating.ToString(),
            [RepeatCount] = s.Repeats.Count,
            [Fingerprint] = s.Fingerprint,
            [QueryCodeHash] = s.QueryCodeHash,
            [Provisional] = next?.Provisional == true || duty?.Provisional == true,
            [UpdatedAt] = now.ToDateTimeOffset(),
            [Listed] = s.Listed,
            [Circulated] = s.Circulated,
            [OpenTickets] = s.OpenTickets.Count,
            [JointAssignmentId] = s.JointAssignmentId,
            [CoHandlers] = string.Join(ListSeparator, s.CoHandlers.Select(c => c.UnitId)),
            [Owner] = s.Owner?.LeaderId,
        };
    }
}

/// <summary>How a clock should be shown: a running duty counts down; a window is a right, not a duty (never red).</summary>
public enum ClockDisplay
{
    /// <summary>A running obligation: light and countdown.</summary>
    Counting,

    /// <summary>A running obligation past its due instant.</summary>
    Overdue,

    /// <summary>Stands still (a hearing): no countdown, the light frozen at the pause.</summary>
    Paused,

    /// <summary>Its step was done: no countdown.</summary>
    Stopped,

    /// <summary>A petitioner's or agency's window that is still open (no traffic light).</summary>
    WindowOpen,

    /// <summary>A window that ran out unused: not "overdue", nobody failed a duty.</summary>
    Lapsed,
}

/// <summary>A clock as the API shows it: deadline with explanation, light and countdown.</summary>
/// <param name="Light">Traffic light of an obligation (a finished one keeps the light it ended with); null for windows, which have none.</param>
/// <param name="Remaining">Time until the due instant, negative once overdue; zero when the clock is not running (stopped, lapsed, paused: no countdown, see <paramref name="Display"/>).</param>
/// <param name="WorkingDaysLeft">The countdown of <see cref="Calendar.LegalCalendar.WorkingDaysLeft"/>: working days to the due date, minus the working days lost once overdue; zero when not running.</param>
/// <param name="Display">How to present it (<see cref="ClockDisplay"/>).</param>
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
    Light? Light,
    ClockLevel Level,
    Duration Remaining,
    int WorkingDaysLeft,
    int Generation,
    Calendar.DeadlineExplanation Explanation,
    ClockDisplay Display = ClockDisplay.Counting);

public static class ClockViews
{
    /// <summary>Every clock of the case (running ones first), as of <paramref name="now"/>.</summary>
    public static IReadOnlyList<ClockView> Of(Calendar.LegalCalendar calendar, CaseState state, Instant now) =>
        [.. state.Clocks.Values.OrderBy(c => c.IsActive ? 0 : 1).ThenBy(c => c.DueInstant).Select(c => Of(calendar, c, now))];

    public static ClockView Of(Calendar.LegalCalendar calendar, LegalClock c, Instant now)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(c);
        var running = c.Status == ClockStatus.Running;
        var window = c.Kind == ClockKind.Window;

        // A finished clock keeps the light it ended with; a window never has one (a lapsed window is not a failed duty).
        var at = c.IsActive ? now : c.EndedAt ?? now;
        var level = window ? ClockLevel.None : c.LevelAt(at);
        var display = (c.Status, window) switch
        {
            (ClockStatus.Lapsed, _) => ClockDisplay.Lapsed,
            (ClockStatus.Stopped, _) => ClockDisplay.Stopped,
            (ClockStatus.Paused, _) => ClockDisplay.Paused,
            (_, true) => ClockDisplay.WindowOpen,
            _ => now >= c.DueInstant ? ClockDisplay.Overdue : ClockDisplay.Counting,
        };
        var left = running ? calendar.WorkingDaysLeft(Calendar.LegalCalendar.LocalDateOf(now), c.DueDate) : 0;
        return new ClockView(
            c.Name, c.Rule, c.Article, c.Basis, c.Kind, c.Status, c.ResponsibleUnitId, c.DueDate, c.DueInstant, c.Provisional,
            window ? null : c.LightAt(at), level, running ? c.DueInstant - now : Duration.Zero, left, c.Generation,
            calendar.Compute(c.Request()).Explanation, display);
    }
}
