using System.Collections.Immutable;
using NodaTime;
using Supervision.Domain.Calendar;
using Supervision.Domain.Cases;
using Supervision.Domain.Org;
using Supervision.Domain.Policy;

namespace Supervision.Domain.Tickets;

/// <summary>
/// Limits of supervision and joint assignment that the law leaves to local rules (DOMAIN.md §4, §3, §9) — all data,
/// validated, with the product defaults in <see cref="Default"/>.
/// </summary>
/// <param name="ResponseWorkingDays">Working days a supervised agency has to respond, per form; a missing form uses <see cref="DefaultResponseWorkingDays"/>.</param>
/// <param name="DefaultResponseWorkingDays">Policy default: 5 working days (local rules use 5–15).</param>
/// <param name="ReminderWorkingDaysLeft">A reminder goes this many working days before a response or answer is due.</param>
/// <param name="AccountabilityReplyDays">Days (日) the body managing the people involved has to reply in writing (Art. 40).</param>
/// <param name="JointAnswerWorkingDays">Working days each agency has to consent to or dispute a joint assignment.</param>
/// <param name="JointDecisionWorkingDays">Working days a common superior or the conference office has to decide.</param>
public sealed record SupervisionPolicy(
    ImmutableSortedDictionary<SupervisionForm, int> ResponseWorkingDays,
    int DefaultResponseWorkingDays = 5,
    int ReminderWorkingDaysLeft = 1,
    int AccountabilityReplyDays = 30,
    int JointAnswerWorkingDays = 3,
    int JointDecisionWorkingDays = 5)
{
    public const string Article40 = "《信访工作条例》第四十条";
    public const string Article24 = "《信访工作条例》第二十四条";

    public static SupervisionPolicy Default { get; } = new(ImmutableSortedDictionary<SupervisionForm, int>.Empty);

    public int ResponseDays(SupervisionForm form) => ResponseWorkingDays.GetValueOrDefault(form, DefaultResponseWorkingDays);

    /// <summary>A copy with one form's limit changed, validated.</summary>
    public SupervisionPolicy WithResponseDays(SupervisionForm form, int workingDays) =>
        (this with { ResponseWorkingDays = ResponseWorkingDays.SetItem(form, workingDays) }).Validated();

    /// <exception cref="DataValidationException">Every problem at once.</exception>
    public SupervisionPolicy Validated()
    {
        var e = new List<string>();
        foreach (var (form, days) in ResponseWorkingDays)
        {
            if (!Enum.IsDefined(form) || days is < 1 or > 60)
            {
                e.Add($"response limit for {form} must be 1..60 working days, got {days}");
            }
        }

        if (DefaultResponseWorkingDays is < 1 or > 60)
        {
            e.Add($"defaultResponseWorkingDays must be 1..60, got {DefaultResponseWorkingDays}");
        }

        if (ReminderWorkingDaysLeft < 0 || ReminderWorkingDaysLeft >= Math.Min(DefaultResponseWorkingDays, JointAnswerWorkingDays))
        {
            e.Add("reminderWorkingDaysLeft must be 0 or more and shorter than every window");
        }

        if (AccountabilityReplyDays is < 1 or > 90)
        {
            e.Add($"accountabilityReplyDays must be 1..90, got {AccountabilityReplyDays}");
        }

        if (JointAnswerWorkingDays < 1 || JointDecisionWorkingDays < 1)
        {
            e.Add("joint-assignment windows must be 1 working day or more");
        }

        return e.Count == 0 ? this : throw new DataValidationException("supervision policy", e);
    }
}

/// <summary>
/// Deadlines of supervision and joint assignment as <see cref="LegalClock"/>s, so the same explanation, light and
/// generation rules apply as for case clocks. Thresholds: only a reminder (<c>ReminderAt</c>) before the due instant.
/// </summary>
internal static class SupervisionClocks
{
    /// <summary>A clock of <paramref name="days"/> in <paramref name="unit"/> counted from <paramref name="trigger"/> (not counted).</summary>
    public static LegalClock Start(
        LegalCalendar calendar, string name, int generation, string rule, string article, string policyRule, LocalDate trigger, Instant at,
        int days, DayUnit unit, string unitId, int remindWorkingDaysLeft)
    {
        var clock = new LegalClock(
            name, generation, ClockKind.Obligation, LegalBasis.Policy, rule, article, policyRule, trigger, at, days, unit, [], null,
            trigger, at, false, null, null, null, unitId);
        var d = calendar.Compute(clock.Request());
        clock = clock with { DueDate = d.DueDate, DueInstant = d.DueInstant, Provisional = d.Provisional };
        var start = LegalCalendar.EndOf(trigger);
        Instant? remind = remindWorkingDaysLeft > 0 ? LegalCalendar.EndOf(calendar.AddWorkingDays(d.DueDate, -remindWorkingDaysLeft)) : null;
        return clock with { ReminderAt = remind > start && remind < d.DueInstant && remind > at ? remind : null };
    }

    /// <summary>A clock that ends on a date someone set (a rejected response's new deadline).</summary>
    public static LegalClock Until(
        LegalCalendar calendar, string name, int generation, string rule, string article, string policyRule, LocalDate trigger, Instant at,
        LocalDate due, string unitId, int remindWorkingDaysLeft) =>
        Start(calendar, name, generation, rule, article, policyRule, trigger, at, Period.DaysBetween(trigger, due), DayUnit.Natural, unitId, remindWorkingDaysLeft);

    /// <summary>The timer keys of a running clock: <c>{name}:remind</c> (until reached) and <c>{name}:due</c>.</summary>
    public static IEnumerable<Orchestration.DurableTimer> Timers(LegalClock? c)
    {
        if (c is null || c.Status != ClockStatus.Running)
        {
            yield break;
        }

        if (c.ReminderAt is { } r && c.Reached < ClockLevel.Reminder)
        {
            yield return new($"{c.Name}:{Remind}", r, c.Generation);
        }

        if (c.Reached < ClockLevel.Overdue)
        {
            yield return new($"{c.Name}:{Due}", c.DueInstant, c.Generation);
        }
    }

    public const string Remind = "remind";
    public const string Due = "due";

    /// <summary>Whether a firing (key suffix, generation) is current for <paramref name="c"/> at <paramref name="now"/>.</summary>
    public static bool IsCurrent(LegalClock? c, string suffix, int generation, Instant now) =>
        c is { Status: ClockStatus.Running } && c.Generation == generation && suffix switch
        {
            Remind => c.Reached < ClockLevel.Reminder && c.ReminderAt is { } r && now >= r,
            Due => c.Reached < ClockLevel.Overdue && now >= c.DueInstant,
            _ => false,
        };

    public static LegalClock Reach(LegalClock c, ClockLevel level) => c.Reached >= level ? c : c with { Reached = level };

    public static LegalClock Stop(LegalClock c, Instant at) => c.Status == ClockStatus.Running ? c with { Status = ClockStatus.Stopped, EndedAt = at } : c;

    /// <summary>Splits <c>name:suffix</c> at the last colon.</summary>
    public static (string Name, string Suffix) Split(string key)
    {
        var colon = key.LastIndexOf(':');
        return colon < 0 ? (key, string.Empty) : (key[..colon], key[(colon + 1)..]);
    }
}

/// <summary>
/// Alert helper shared by the supervision deciders: drops audiences in units the accusation guard excludes, and files
/// every alert under <paramref name="caseId"/> (the mailbox links it to the case) when there is one.
/// </summary>
internal sealed class AlertList(IReadOnlySet<string> excluded, string link, string? caseId = null)
{
    public List<Orchestration.Effect> Effects { get; } = [];

    public void Add(string kind, string subject, string body, Orchestration.AlertUrgency urgency, IEnumerable<(Role Role, string? Unit)> to)
    {
        var audiences = to.Where(a => a.Unit is not null && !excluded.Contains(a.Unit))
            .Select(a => new Orchestration.AlertAudience(RoleNames.Of(a.Role), a.Unit!))
            .Distinct()
            .ToList();
        if (audiences.Count > 0)
        {
            Effects.Add(new Orchestration.RaiseAlert(new Orchestration.Alert(kind, subject, body, audiences, urgency, link, caseId)));
        }
    }
}
