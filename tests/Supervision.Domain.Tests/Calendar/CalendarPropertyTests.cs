using CsCheck;
using NodaTime;
using NodaTime.Text;
using Supervision.Domain.Calendar;

namespace Supervision.Domain.Tests.Calendar;

/// <summary>
/// Properties of the deadline arithmetic over trigger dates in 2022–2026 (the years with notices; periods may run into
/// 2027, which is provisional and must obey the same rules). Expected values are recomputed independently by walking
/// the days one by one with <see cref="LegalCalendar.IsWorkingDay"/>, whose data the data tests pin to DOMAIN.md §8.
/// </summary>
public sealed class CalendarPropertyTests
{
    private const long Iterations = 3000;
    private static readonly LegalCalendar Calendar = LegalCalendar.Default;
    private static readonly LocalDate First = new(2022, 1, 1);
    private static readonly int Span = Period.DaysBetween(First, new LocalDate(2026, 12, 31));

    private static readonly Gen<LocalDate> Trigger = Gen.Int[0, Span].Select(i => First.PlusDays(i));
    private static readonly Gen<int> Days = Gen.Int[0, 120];
    private static readonly Gen<DayUnit> Unit = Gen.OneOfConst(DayUnit.Natural, DayUnit.Working);

    private static Deadline Compute(LocalDate trigger, int days, DayUnit unit, IReadOnlyList<ClockPause>? pauses = null, ClockExtension? extension = null) =>
        Calendar.Compute(new DeadlineRequest(trigger, days, unit, Pauses: pauses, Extension: extension));

    // Working days in (start, end], counted one day at a time.
    private static int CountWorking(LocalDate startExclusive, LocalDate endInclusive)
    {
        var n = 0;
        for (var d = startExclusive.PlusDays(1); d <= endInclusive; d = d.PlusDays(1))
        {
            n += Calendar.IsWorkingDay(d) ? 1 : 0;
        }

        return n;
    }

    private static LocalDate FirstWorkingOnOrAfter(LocalDate date)
    {
        while (!Calendar.IsWorkingDay(date))
        {
            date = date.PlusDays(1);
        }

        return date;
    }

    [Fact]
    public void The_due_date_is_a_working_day() =>
        Gen.Select(Trigger, Days, Unit).Sample(
            (t, n, u) => Assert.True(Calendar.IsWorkingDay(Compute(t, n, u).DueDate), $"{t} + {n} {u}"), iter: Iterations);

    [Fact]
    public void A_working_day_period_spans_exactly_N_working_days() =>
        Gen.Select(Trigger, Gen.Int[1, 120]).Sample(
            (t, n) =>
            {
                var due = Compute(t, n, DayUnit.Working).DueDate;
                Assert.Equal(n, CountWorking(t, due));
                Assert.Equal(n, Calendar.WorkingDaysBetween(t, due));
            },
            iter: Iterations);

    [Fact]
    public void Zero_working_days_end_on_the_trigger_or_the_next_working_day() =>
        Trigger.Sample(t => Assert.Equal(FirstWorkingOnOrAfter(t), Compute(t, 0, DayUnit.Working).DueDate), iter: Iterations);

    /// <summary>Regression found by the property above: 0 working days from a rest day used to end on that rest day.</summary>
    [Fact]
    public void Regression_zero_working_days_from_a_holiday_rolls_to_the_next_working_day()
    {
        var deadline = Compute(new LocalDate(2025, 10, 1), 0, DayUnit.Working);

        Assert.Equal(new LocalDate(2025, 10, 9), deadline.DueDate);
        Assert.Equal(new LocalDate(2025, 10, 1), deadline.Explanation.RawLastDay);
        Assert.Contains("顺延", deadline.Explanation.RolledBecause, StringComparison.Ordinal);
    }

    [Fact]
    public void A_longer_period_never_ends_earlier() =>
        Gen.Select(Trigger, Days, Gen.Int[0, 30], Unit).Sample(
            (t, n, more, u) => Assert.True(Compute(t, n + more, u).DueDate >= Compute(t, n, u).DueDate),
            iter: Iterations);

    [Fact]
    public void A_natural_day_period_ends_on_the_first_working_day_on_or_after_trigger_plus_N() =>
        Gen.Select(Trigger, Days).Sample(
            (t, n) =>
            {
                var deadline = Compute(t, n, DayUnit.Natural);
                Assert.Equal(t.PlusDays(n), deadline.Explanation.RawLastDay);
                Assert.True(deadline.DueDate >= t.PlusDays(n));
                Assert.Equal(FirstWorkingOnOrAfter(t.PlusDays(n)), deadline.DueDate);
                Assert.Equal(deadline.DueDate != t.PlusDays(n), deadline.Explanation.RolledBecause is not null);
            },
            iter: Iterations);

    [Fact]
    public void Pausing_for_k_working_days_moves_a_working_day_deadline_by_exactly_k_working_days() =>
        Gen.Select(Trigger, Gen.Int[1, 120], Gen.Int[1, 150], Gen.Int[0, 20]).Sample(
            (t, n, offset, length) =>
            {
                var pause = new ClockPause(t.PlusDays(offset), t.PlusDays(offset + length), "听证");
                var plain = Compute(t, n, DayUnit.Working).DueDate;
                var paused = Compute(t, n, DayUnit.Working, [pause]).DueDate;

                var k = CountWorking(pause.From.PlusDays(-1), pause.To);
                var expected = pause.From <= plain ? Calendar.AddWorkingDays(plain, k) : plain;
                Assert.Equal(expected, paused);
                Assert.Equal(n, CountWorking(t, paused) - (pause.From <= paused ? k : 0));
            },
            iter: Iterations);

    [Fact]
    public void Pausing_for_k_days_moves_a_natural_day_raw_last_day_by_exactly_k_days() =>
        Gen.Select(Trigger, Gen.Int[1, 120], Gen.Int[1, 150], Gen.Int[0, 20]).Sample(
            (t, n, offset, length) =>
            {
                var pause = new ClockPause(t.PlusDays(offset), t.PlusDays(offset + length), "听证");
                var raw = t.PlusDays(n);
                var paused = Compute(t, n, DayUnit.Natural, [pause]);
                Assert.Equal(pause.From <= raw ? raw.PlusDays(length + 1) : raw, paused.Explanation.RawLastDay);
                Assert.True(Calendar.IsWorkingDay(paused.DueDate));
            },
            iter: Iterations);

    [Fact]
    public void A_pause_before_the_trigger_changes_nothing() =>
        Gen.Select(Trigger, Days, Unit, Gen.Int[0, 60], Gen.Int[0, 20]).Sample(
            (t, n, u, endBefore, length) =>
            {
                var pause = new ClockPause(t.PlusDays(-endBefore - length), t.PlusDays(-endBefore), "早于起算日的中止");
                var plain = Compute(t, n, u);
                var paused = Compute(t, n, u, [pause]);
                Assert.Equal(plain.DueDate, paused.DueDate);
                Assert.Equal(plain.Explanation.RawLastDay, paused.Explanation.RawLastDay);
                Assert.Empty(paused.Explanation.Pauses);
            },
            iter: Iterations);

    [Fact]
    public void An_extension_never_ends_earlier_and_counts_like_a_longer_period() =>
        Gen.Select(Trigger, Days, Gen.Int[0, 30], Unit).Sample(
            (t, n, k, u) =>
            {
                var plain = Compute(t, n, u);
                var extended = Compute(t, n, u, extension: new ClockExtension(k, "情况复杂"));
                Assert.True(extended.DueDate >= plain.DueDate);
                Assert.Equal(Compute(t, n + k, u).DueDate, extended.DueDate);
                Assert.Equal(n, extended.Explanation.Days);
            },
            iter: Iterations);

    [Fact]
    public void AddWorkingDays_round_trips_from_a_working_day() =>
        Gen.Select(Trigger, Gen.Int[-120, 120]).Sample(
            (t, n) =>
            {
                var d = FirstWorkingOnOrAfter(t);
                Assert.Equal(d, Calendar.AddWorkingDays(Calendar.AddWorkingDays(d, n), -n));
            },
            iter: Iterations);

    [Fact]
    public void WorkingDaysBetween_agrees_with_AddWorkingDays_and_with_counting_day_by_day() =>
        Gen.Select(Trigger, Gen.Int[0, 120], Gen.Int[-120, 120]).Sample(
            (t, n, m) =>
            {
                // Forward from any day.
                Assert.Equal(n, Calendar.WorkingDaysBetween(t, Calendar.AddWorkingDays(t, n)));

                // Either direction from a working day.
                var d = FirstWorkingOnOrAfter(t);
                Assert.Equal(m, Calendar.WorkingDaysBetween(d, Calendar.AddWorkingDays(d, m)));

                // And the index equals a day-by-day count, in both directions.
                var other = t.PlusDays(m);
                var expected = other >= t ? CountWorking(t, other) : -CountWorking(other, t);
                Assert.Equal(expected, Calendar.WorkingDaysBetween(t, other));
            },
            iter: Iterations);

    [Fact]
    public void Every_deadline_touching_a_year_without_a_notice_is_provisional_and_others_are_not() =>
        Gen.Select(Trigger, Days, Unit).Sample(
            (t, n, u) =>
            {
                var deadline = Compute(t, n, u);
                Assert.Equal(deadline.DueDate.Year > 2026, deadline.Provisional);
                Assert.Equal(deadline.Provisional, deadline.Explanation.ProvisionalBecause is not null);
                Assert.Equal(LegalCalendar.EndOf(deadline.DueDate), deadline.DueInstant);

                // Explanation dates are ISO dates (formatted by hand in the core for speed).
                Assert.Contains($"起算：{LocalDatePattern.Iso.Format(t)}，", deadline.Explanation.Lines[1], StringComparison.Ordinal);
                Assert.Contains(deadline.Explanation.Lines, l => l == $"届满：{LocalDatePattern.Iso.Format(deadline.DueDate)} 24:00（北京时间）");
            },
            iter: Iterations);
}
