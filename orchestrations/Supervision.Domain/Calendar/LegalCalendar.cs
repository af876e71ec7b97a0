using System.Globalization;
using System.Reflection;
using NodaTime;

namespace Supervision.Domain.Calendar;

/// <summary>The kind of a local date in the legal calendar.</summary>
public enum DayKind
{
    /// <summary>Monday–Friday, not a holiday.</summary>
    Workday,

    /// <summary>Saturday or Sunday that is not a make-up working day.</summary>
    Weekend,

    /// <summary>A rest day of a holiday block (放假), weekday or weekend.</summary>
    Holiday,

    /// <summary>A weekend day that is worked (调休上班).</summary>
    MakeUpWorkday,
}

/// <summary>
/// The legal calendar of the People's Republic of China for counting petition deadlines (DOMAIN.md §7–8).
/// <list type="bullet">
/// <item>Zone: Asia/Shanghai (tzdb). Dates are local dates; a period's last day ends at 24:00 local.</item>
/// <item>Data: one <see cref="HolidayNotice"/> per year; a year without a notice counts weekends only and every
/// deadline touching it is flagged provisional.</item>
/// <item>Range: <see cref="MinYear"/>–<see cref="MaxYear"/>; dates outside are refused.</item>
/// </list>
/// Immutable and thread-safe; arithmetic is O(1) per period (plus O(pauses)) through a precomputed index of working days.
/// </summary>
public sealed class LegalCalendar
{
    public const int MinYear = 2000;
    public const int MaxYear = 2099;

    /// <summary>Asia/Shanghai: the zone every legal day is counted in.</summary>
    public static readonly DateTimeZone Zone = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];

    private static readonly LocalDate Epoch = new(MinYear, 1, 1);
    private static readonly LocalDate End = new(MaxYear, 12, 31);

    private readonly Dictionary<int, HolidayNotice> notices;
    private readonly DayKind[] kinds;
    private readonly string?[] holidayNames;

    // workingBefore[i] = number of working days strictly before day i; workingDays[k] = day index of the k-th working day.
    private readonly int[] workingBefore;
    private readonly int[] workingDays;

    public LegalCalendar(IEnumerable<HolidayNotice> notices)
    {
        this.notices = [];
        foreach (var n in notices)
        {
            if (!this.notices.TryAdd(n.Year, n))
            {
                throw new CalendarDataException($"Two notices for {n.Year}.");
            }
        }

        var days = Period.DaysBetween(Epoch, End) + 1;
        kinds = new DayKind[days];
        holidayNames = new string?[days];
        for (var i = 0; i < days; i++)
        {
            var d = Epoch.PlusDays(i);
            kinds[i] = d.DayOfWeek is IsoDayOfWeek.Saturday or IsoDayOfWeek.Sunday ? DayKind.Weekend : DayKind.Workday;
        }

        foreach (var n in this.notices.Values)
        {
            foreach (var block in n.RestBlocks)
            {
                for (var d = block.From; d <= block.To; d = d.PlusDays(1))
                {
                    if (InRange(d))
                    {
                        kinds[Index(d)] = DayKind.Holiday;
                        holidayNames[Index(d)] = block.Name;
                    }
                }
            }
        }

        foreach (var n in this.notices.Values)
        {
            foreach (var m in n.MakeUpWorkdays.Where(InRange))
            {
                if (kinds[Index(m)] == DayKind.Holiday)
                {
                    throw new CalendarDataException($"{m:yyyy-MM-dd} is a rest day in one notice and a make-up working day in another.");
                }

                kinds[Index(m)] = DayKind.MakeUpWorkday;
            }
        }

        workingBefore = new int[days + 1];
        var list = new List<int>(days * 5 / 7);
        for (var i = 0; i < days; i++)
        {
            workingBefore[i + 1] = workingBefore[i];
            if (kinds[i] is DayKind.Workday or DayKind.MakeUpWorkday)
            {
                workingBefore[i + 1]++;
                list.Add(i);
            }
        }

        workingDays = [.. list];
        Version = string.Join(",", this.notices.Values.OrderBy(n => n.Year).Select(n => $"{n.Year}@{n.Version}"));
    }

    /// <summary>The calendar built from the notices shipped with the code (2022–2026).</summary>
    public static LegalCalendar Default { get; } = new(EmbeddedNotices());

    /// <summary>Loaded notices by year.</summary>
    public IReadOnlyDictionary<int, HolidayNotice> Notices => notices;

    /// <summary>Versions of every loaded notice, e.g. <c>2025@2025.1,2026@2026.1</c>.</summary>
    public string Version { get; }

    /// <summary>A new calendar with <paramref name="notice"/> added or replacing the same year's notice.</summary>
    public LegalCalendar With(HolidayNotice notice) =>
        new(notices.Values.Where(n => n.Year != notice.Year).Append(notice));

    public bool HasNotice(int year) => notices.ContainsKey(year);

    public static bool InRange(LocalDate date) => date >= Epoch && date <= End;

    /// <summary>Whether an instant falls on a day the calendar covers; safe for any instant (no zone conversion overflow).</summary>
    public static bool InRange(Instant instant) =>
        instant >= Epoch.AtStartOfDayInZone(Zone).ToInstant() && instant < EndOf(End);

    public DayKind Classify(LocalDate date) => kinds[Index(Checked(date))];

    public bool IsWorkingDay(LocalDate date) => Classify(date) is DayKind.Workday or DayKind.MakeUpWorkday;

    /// <summary>The holiday block's name for a holiday rest day (e.g. 国庆节), else null.</summary>
    public string? HolidayName(LocalDate date) => holidayNames[Index(Checked(date))];

    /// <summary>The first working day on or after <paramref name="date"/>.</summary>
    public LocalDate NextWorkingDayOnOrAfter(LocalDate date) => FromIndex(workingDays[workingBefore[Index(Checked(date))]]);

    /// <summary>
    /// The date <paramref name="n"/> working days after <paramref name="start"/> (start excluded); for negative
    /// <paramref name="n"/>, the date |n| working days before it. <c>AddWorkingDays(d, 0)</c> is <paramref name="start"/>.
    /// </summary>
    public LocalDate AddWorkingDays(LocalDate start, int n)
    {
        var i = Index(Checked(start));
        if (n == 0)
        {
            return start;
        }

        // Working days up to and including start, then step n working days from there.
        var k = n > 0 ? workingBefore[i + 1] + n - 1 : workingBefore[i] + n;
        if (k < 0 || k >= workingDays.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(n), $"The result falls outside {MinYear}–{MaxYear}.");
        }

        return FromIndex(workingDays[k]);
    }

    /// <summary>
    /// The countdown a person reads on <paramref name="today"/>: working days from today (inclusive) to the due date
    /// (inclusive) while it is ahead, and once it has passed, minus the working days lost since (today inclusive), so
    /// the first working day after the due date reads −1, not 0. A rest day straight after the due date reads 0:
    /// overdue (the light says so), but no working day lost yet.
    /// </summary>
    public int WorkingDaysLeft(LocalDate today, LocalDate due) =>
        today <= due ? WorkingDaysBetween(today.PlusDays(-1), due) : -WorkingDaysBetween(due, today);

    /// <summary>Working days in (<paramref name="startExclusive"/>, <paramref name="endInclusive"/>]; negative if end precedes start.</summary>
    public int WorkingDaysBetween(LocalDate startExclusive, LocalDate endInclusive) =>
        workingBefore[Index(Checked(endInclusive)) + 1] - workingBefore[Index(Checked(startExclusive)) + 1];

    /// <summary>The local (Asia/Shanghai) date of an instant.</summary>
    public static LocalDate LocalDateOf(Instant instant) => instant.InZone(Zone).Date;

    /// <summary>24:00 local at the end of <paramref name="date"/>: the instant the period has passed.</summary>
    public static Instant EndOf(LocalDate date) => date.PlusDays(1).AtStartOfDayInZone(Zone).ToInstant();

    /// <summary>
    /// Computes a deadline per DOMAIN.md §7: the trigger day is not counted; paused days do not count; an extension
    /// adds days in the same unit; for "N日" a last day that is a rest day moves to the next working day.
    /// </summary>
    /// <exception cref="ArgumentException">Negative days, an extension over the limit, or dates out of range; the message is safe to show.</exception>
    public Deadline Compute(DeadlineRequest request)
    {
        if (request.Days < 0)
        {
            throw new ArgumentException($"days must be zero or more, got {request.Days}.", nameof(request));
        }

        if (request.Extension is { Days: < 0 })
        {
            throw new ArgumentException("an extension cannot be negative.", nameof(request));
        }

        Checked(request.Trigger);
        var pauses = Merge(request.Pauses ?? [], request.Trigger);
        var total = request.Days + (request.Extension?.Days ?? 0);

        LocalDate raw;
        if (pauses.Count == 0)
        {
            // The common case, without the delegates SkipPauses needs (see bench/results).
            raw = request.Unit == DayUnit.Natural ? request.Trigger.PlusDays(total) : AddWorkingDays(request.Trigger, total);
        }
        else
        {
            raw = request.Unit == DayUnit.Natural
                ? SkipPauses(request.Trigger, total, pauses, (d, n) => d.PlusDays(n), (a, b) => Period.DaysBetween(a, b))
                : total == 0 ? request.Trigger : SkipPauses(request.Trigger, total, pauses, AddWorkingDays, WorkingDaysBetween);
        }

        // A last day that is a rest day rolls to the next working day. For working days this only happens when the
        // period is 0 and the trigger is a rest day (a period of N ≥ 1 working days always ends on a working day).
        var due = NextWorkingDayOnOrAfter(raw);
        string? rolled = null;
        if (due != raw)
        {
            var kind = Classify(raw);
            var why = kind == DayKind.Holiday ? $"{HolidayName(raw)}休息日" : "周末休息日";
            rolled = $"原末日 {Iso(raw)} 是{why}，顺延至其后第一个工作日 {Iso(due)}";
        }

        Checked(due);
        var provisional = MissingYears(request.Trigger, due);
        var explanation = Explain(request, pauses, raw, due, rolled, provisional);
        return new Deadline(due, EndOf(due), provisional is not null, explanation);
    }

    // Counts `total` units after `trigger`, jumping over pauses: the count stops at a pause's first day and resumes after its last.
    private static LocalDate SkipPauses(
        LocalDate trigger, int total, IReadOnlyList<ClockPause> pauses, Func<LocalDate, int, LocalDate> add, Func<LocalDate, LocalDate, int> between)
    {
        var position = trigger;
        var remaining = total;
        foreach (var pause in pauses)
        {
            // Units available before the pause starts: (position, pause.From - 1].
            var gap = between(position, pause.From.PlusDays(-1));
            if (remaining <= gap)
            {
                break;
            }

            remaining -= Math.Max(gap, 0);
            position = pause.To;
        }

        return remaining == 0 ? position : add(position, remaining);
    }

    // Sorted, merged, clipped to days after the trigger (a pause before the trigger changes nothing).
    private static List<ClockPause> Merge(IReadOnlyList<ClockPause> pauses, LocalDate trigger)
    {
        var result = new List<ClockPause>();
        if (pauses.Count == 0)
        {
            return result;
        }

        foreach (var p in pauses.OrderBy(p => p.From))
        {
            if (p.To < p.From)
            {
                throw new ArgumentException($"a pause ends ({Iso(p.To)}) before it starts ({Iso(p.From)}).", nameof(pauses));
            }

            Checked(p.From);
            Checked(p.To);
            if (p.To <= trigger)
            {
                continue;
            }

            var clipped = p.From <= trigger ? p with { From = trigger.PlusDays(1) } : p;
            if (result.Count > 0 && clipped.From <= result[^1].To.PlusDays(1))
            {
                var last = result[^1];
                result[^1] = last with { To = clipped.To > last.To ? clipped.To : last.To, Reason = $"{last.Reason}; {clipped.Reason}" };
            }
            else
            {
                result.Add(clipped);
            }
        }

        return result;
    }

    private string? MissingYears(LocalDate from, LocalDate to)
    {
        if (HasNotice(from.Year) && (to.Year == from.Year || (to.Year == from.Year + 1 && HasNotice(to.Year))))
        {
            return null; // the common case, without allocating
        }

        var missing = Enumerable.Range(from.Year, to.Year - from.Year + 1).Where(y => !HasNotice(y)).ToList();
        return missing.Count == 0
            ? null
            : $"{string.Join("、", missing)}年的国务院节假日安排未载入：仅按周末计算，结果为临时（provisional），公布后须重新计算";
    }

    private DeadlineExplanation Explain(
        DeadlineRequest r, IReadOnlyList<ClockPause> pauses, LocalDate raw, LocalDate due, string? rolled, string? provisional)
    {
        var unit = r.Unit == DayUnit.Natural ? "日" : "个工作日";
        var lines = new List<string>
        {
            $"{(string.IsNullOrEmpty(r.Rule) ? "期限" : r.Rule)}：{r.Days}{unit}{(string.IsNullOrEmpty(r.Article) ? string.Empty : $"（{r.Article}）")}",
            $"起算：{Iso(r.Trigger)}，当日不计入，自次日起算",
        };
        if (r.Unit == DayUnit.Working)
        {
            lines.Add("只计工作日：周一至周五，除去法定节假日休息日，另计调休上班日");
        }

        if (r.Extension is { } ext)
        {
            lines.Add($"延长 {ext.Days}{unit}：{ext.Reason}");
        }

        foreach (var p in pauses)
        {
            lines.Add($"中止 {Iso(p.From)} 至 {Iso(p.To)} 不计入：{p.Reason}");
        }

        lines.Add($"末日：{Iso(raw)}");
        if (rolled is not null)
        {
            lines.Add(rolled);
        }

        lines.Add($"届满：{Iso(due)} 24:00（北京时间）");
        lines.Add($"节假日数据版本：{Version}");
        if (provisional is not null)
        {
            lines.Add(provisional);
        }

        return new DeadlineExplanation(
            r.Trigger, r.Days, r.Unit, r.Rule, r.Article, raw, due, rolled, pauses, r.Extension, Version, provisional, lines);
    }

    // Hand-rolled for the hot path (explanations format ~6 dates per deadline; NodaTime's pattern engine was most of
    // the cost in bench/results/2026-11-23-calendar.md). Same output as the ISO pattern for four-digit years.
    private static string Iso(LocalDate d) =>
        d.Year is >= 1000 and <= 9999
            ? string.Create(10, (d.Year, d.Month, d.Day), static (s, x) =>
            {
                s[0] = (char)('0' + (x.Year / 1000));
                s[1] = (char)('0' + (x.Year / 100 % 10));
                s[2] = (char)('0' + (x.Year / 10 % 10));
                s[3] = (char)('0' + (x.Year % 10));
                s[4] = '-';
                s[5] = (char)('0' + (x.Month / 10));
                s[6] = (char)('0' + (x.Month % 10));
                s[7] = '-';
                s[8] = (char)('0' + (x.Day / 10));
                s[9] = (char)('0' + (x.Day % 10));
            })
            : d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static LocalDate Checked(LocalDate date) =>
        InRange(date) ? date : throw new ArgumentOutOfRangeException(nameof(date), $"{Iso(date)} is outside the supported years {MinYear}–{MaxYear}.");

    private static int Index(LocalDate date) => Period.DaysBetween(Epoch, date);

    private static LocalDate FromIndex(int index) => Epoch.PlusDays(index);

    private static IEnumerable<HolidayNotice> EmbeddedNotices()
    {
        var assembly = typeof(LegalCalendar).Assembly;
        const string prefix = "Supervision.Domain.Calendar.Data.";
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            yield return HolidayNotice.Parse(reader.ReadToEnd());
        }
    }
}
