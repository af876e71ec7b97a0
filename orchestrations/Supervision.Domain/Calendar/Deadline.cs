using NodaTime;

namespace Supervision.Domain.Calendar;

/// <summary>How a legal period is counted (DOMAIN.md §7).</summary>
public enum DayUnit
{
    /// <summary>"N日": calendar days; start day excluded; a last day that is a rest day rolls to the next working day.</summary>
    Natural,

    /// <summary>"N个工作日": working days only (Mon–Fri minus holiday rest days, plus make-up working days); start day excluded.</summary>
    Working,
}

/// <summary>
/// A span during which a clock stands still (e.g. a hearing during re-examination, Art. 36). Inclusive local dates:
/// none of <see cref="From"/>..<see cref="To"/> counts toward the period.
/// </summary>
public sealed record ClockPause(LocalDate From, LocalDate To, string Reason);

/// <summary>An approved extension (Art. 34: at most 30 days, once, approved by the agency head).</summary>
/// <param name="Days">Added to the period, counted in the period's own unit.</param>
/// <param name="Reason">Why (told to the petitioner).</param>
public sealed record ClockExtension(int Days, string Reason);

/// <summary>What to compute.</summary>
/// <param name="Trigger">The local date of the triggering event (receipt, acceptance…); not counted.</param>
/// <param name="Days">The period's length, N ≥ 0.</param>
/// <param name="Unit">Natural or working days.</param>
/// <param name="Rule">Which clock, e.g. "办理期限"; shown in the explanation.</param>
/// <param name="Article">The legal basis, e.g. "《信访工作条例》第三十四条".</param>
/// <param name="Pauses">Spans that do not count.</param>
/// <param name="Extension">An approved extension, if any.</param>
public sealed record DeadlineRequest(
    LocalDate Trigger,
    int Days,
    DayUnit Unit,
    string Rule = "",
    string Article = "",
    IReadOnlyList<ClockPause>? Pauses = null,
    ClockExtension? Extension = null);

/// <summary>
/// A computed deadline. The period ends at 24:00 local time (Asia/Shanghai) on <see cref="DueDate"/>, i.e. at
/// <see cref="DueInstant"/> = the start of the following day; the step is overdue from that instant on.
/// </summary>
public sealed record Deadline(LocalDate DueDate, Instant DueInstant, bool Provisional, DeadlineExplanation Explanation);

/// <summary>
/// Everything needed to explain a deadline to a person: trigger, rule and article, raw last day, why it moved,
/// the calendar version used, pauses and extensions applied, and whether it is provisional.
/// </summary>
public sealed record DeadlineExplanation(
    LocalDate Trigger,
    int Days,
    DayUnit Unit,
    string Rule,
    string Article,
    LocalDate RawLastDay,
    LocalDate DueDate,
    string? RolledBecause,
    IReadOnlyList<ClockPause> Pauses,
    ClockExtension? Extension,
    string CalendarVersion,
    string? ProvisionalBecause,
    IReadOnlyList<string> Lines);
