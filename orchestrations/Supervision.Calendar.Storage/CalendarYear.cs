using NodaTime;
using Supervision.Domain.Calendar;

namespace Supervision.Calendar.Storage;

/// <summary>One classified day of a year.</summary>
public sealed record CalendarDay(LocalDate Date, DayKind Kind, string? HolidayName);

/// <summary>
/// A year of the effective calendar as an operator sees it: the notice in effect (source, version, where it comes
/// from), its rest blocks and make-up working days, and every day classified; or, without a notice, why the year is
/// provisional.
/// </summary>
public sealed record CalendarYear(
    int Year,
    bool Provisional,
    string? ProvisionalBecause,
    string? Source,
    string? Version,
    NoticeOrigin? Origin,
    IReadOnlyList<RestBlock> RestBlocks,
    IReadOnlyList<LocalDate> MakeUpWorkdays,
    IReadOnlyList<CalendarDay> Days,
    string CalendarVersion)
{
    public int WorkingDays => Days.Count(d => d.Kind is DayKind.Workday or DayKind.MakeUpWorkday);

    public int RestDays => Days.Count - WorkingDays;

    public static CalendarYear Describe(CalendarSnapshot snapshot, int year)
    {
        var calendar = snapshot.Calendar;
        var first = new LocalDate(year, 1, 1);
        var days = Enumerable.Range(0, CalendarSystem.Iso.GetDaysInYear(year))
            .Select(i => first.PlusDays(i))
            .Select(d => new CalendarDay(d, calendar.Classify(d), calendar.HolidayName(d)))
            .ToList();
        if (!calendar.Notices.TryGetValue(year, out var notice))
        {
            return new CalendarYear(
                year,
                Provisional: true,
                $"provisional: no notice loaded for {year} (国务院节假日安排未载入); weekends only until the State Council notice is loaded.",
                null,
                null,
                null,
                [],
                [],
                days,
                calendar.Version);
        }

        return new CalendarYear(
            year,
            Provisional: false,
            null,
            notice.Source,
            notice.Version,
            snapshot.Origins.TryGetValue(year, out var origin) ? origin : NoticeOrigin.Embedded,
            notice.RestBlocks,
            notice.MakeUpWorkdays,
            days,
            calendar.Version);
    }

    /// <summary>Plain text for the CLI: one fact per line.</summary>
    public IEnumerable<string> Lines()
    {
        yield return $"{Year}";
        if (Provisional)
        {
            yield return ProvisionalBecause!;
        }
        else
        {
            yield return $"notice: {Source}";
            yield return $"version: {Version} ({(Origin == NoticeOrigin.Stored ? "stored by an administrator" : "embedded")})";
            yield return "rest blocks (放假):";
            foreach (var b in RestBlocks)
            {
                var length = Period.DaysBetween(b.From, b.To) + 1;
                yield return $"  {CalendarQuery.Iso(b.From)}..{CalendarQuery.Iso(b.To)}  {b.Name} ({length} days)";
            }

            yield return "make-up working days (调休上班):";
            foreach (var m in MakeUpWorkdays)
            {
                yield return $"  {CalendarQuery.Iso(m)}  {m.DayOfWeek}";
            }
        }

        yield return $"working days: {WorkingDays}, rest days: {RestDays}";
        yield return $"calendar version: {CalendarVersion}";
    }
}
