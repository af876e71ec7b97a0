using NodaTime;
using NodaTime.Text;
using Supervision.Domain.Calendar;

namespace Supervision.Domain.Tests.Calendar;

/// <summary>The worked examples of DOMAIN.md §7, and the explanation each deadline carries.</summary>
public sealed class WorkedExamplesTests
{
    private static readonly LegalCalendar Calendar = LegalCalendar.Default;

    private static LocalDate D(string iso) => LocalDatePattern.Iso.Parse(iso).Value;

    [Theory]
    [InlineData("2025-09-10", 60, DayUnit.Natural, "2025-11-10", "2025-11-09")] // raw is a Sunday
    [InlineData("2025-09-20", 15, DayUnit.Natural, "2025-10-09", "2025-10-05")] // raw inside National Day
    [InlineData("2026-08-03", 60, DayUnit.Natural, "2026-10-08", "2026-10-02")] // raw is a holiday
    [InlineData("2025-09-26", 5, DayUnit.Working, "2025-10-10", "2025-10-10")]  // counts Sun 09-28, a make-up workday
    public void Domain_worked_examples(string trigger, int days, DayUnit unit, string due, string raw)
    {
        var deadline = Calendar.Compute(new DeadlineRequest(D(trigger), days, unit));

        Assert.Equal(D(due), deadline.DueDate);
        Assert.Equal(D(raw), deadline.Explanation.RawLastDay);
        Assert.False(deadline.Provisional);
    }

    [Fact]
    public void Deadline_ends_at_midnight_Beijing_time_of_the_due_date()
    {
        var deadline = Calendar.Compute(new DeadlineRequest(D("2025-09-20"), 15, DayUnit.Natural));

        // 2025-10-09 24:00 +08:00 == 2025-10-09T16:00:00Z
        Assert.Equal(Instant.FromUtc(2025, 10, 9, 16, 0), deadline.DueInstant);
    }

    [Fact]
    public void Explanation_says_why_the_last_day_moved_and_which_data_was_used()
    {
        var deadline = Calendar.Compute(new DeadlineRequest(D("2025-09-20"), 15, DayUnit.Natural, "登记转送", "《信访工作条例》第二十二条"));
        var e = deadline.Explanation;

        Assert.Contains("国庆节", e.RolledBecause, StringComparison.Ordinal);
        Assert.Contains("2025-10-05", e.RolledBecause, StringComparison.Ordinal);
        Assert.Contains("2025@2025.1", e.CalendarVersion, StringComparison.Ordinal);
        Assert.Contains(e.Lines, l => l.Contains("第二十二条", StringComparison.Ordinal));
        Assert.Null(e.ProvisionalBecause);
    }

    [Fact]
    public void A_year_without_a_notice_still_computes_but_is_provisional()
    {
        var deadline = Calendar.Compute(new DeadlineRequest(D("2026-12-20"), 30, DayUnit.Natural));

        Assert.True(deadline.Provisional);
        Assert.Contains("2027", deadline.Explanation.ProvisionalBecause, StringComparison.Ordinal);
        Assert.True(Calendar.IsWorkingDay(deadline.DueDate));
    }

    [Fact]
    public void Extension_adds_days_to_the_period_and_is_explained()
    {
        var plain = Calendar.Compute(new DeadlineRequest(D("2025-09-10"), 60, DayUnit.Natural));
        var extended = Calendar.Compute(new DeadlineRequest(D("2025-09-10"), 60, DayUnit.Natural, Extension: new ClockExtension(30, "情况复杂")));

        Assert.Equal(D("2025-12-09"), extended.DueDate); // 09-10 + 90 = 12-09, a Tuesday
        Assert.True(extended.DueDate > plain.DueDate);
        Assert.Contains(extended.Explanation.Lines, l => l.Contains("情况复杂", StringComparison.Ordinal));
    }

    [Fact]
    public void A_hearing_pause_stops_a_natural_day_clock()
    {
        // 30 days from 2025-03-03 would end 2025-04-02; a 7-day hearing pause moves it by 7 days.
        var pause = new ClockPause(D("2025-03-10"), D("2025-03-16"), "听证");
        var deadline = Calendar.Compute(new DeadlineRequest(D("2025-03-03"), 30, DayUnit.Natural, Pauses: [pause]));

        Assert.Equal(D("2025-04-09"), deadline.DueDate);
    }

    [Fact]
    public void Working_days_count_make_up_days_and_skip_holidays()
    {
        Assert.Equal(DayKind.MakeUpWorkday, Calendar.Classify(D("2025-09-28")));
        Assert.Equal(DayKind.Holiday, Calendar.Classify(D("2025-10-08")));
        Assert.Equal(DayKind.Weekend, Calendar.Classify(D("2025-10-12")));
        Assert.Equal(DayKind.Workday, Calendar.Classify(D("2025-10-09")));
        Assert.Equal(D("2025-09-26"), Calendar.AddWorkingDays(D("2025-10-10"), -5));
        Assert.Equal(5, Calendar.WorkingDaysBetween(D("2025-09-26"), D("2025-10-10")));
    }

    [Theory]
    [InlineData("2025-11-24", "2025-11-25", 2)]  // Monday before a Tuesday due date: today and the due day
    [InlineData("2025-11-25", "2025-11-25", 1)]  // the due day itself still counts
    [InlineData("2025-11-26", "2025-11-25", -1)] // the first working day after it has been lost (read 0 before)
    [InlineData("2025-11-29", "2025-11-25", -3)] // a Saturday adds nothing: Wed, Thu, Fri lost
    [InlineData("2025-11-29", "2025-11-28", 0)]  // the Saturday after a Friday due date: overdue, no working day lost
    [InlineData("2025-12-01", "2025-11-28", -1)]
    [InlineData("2025-10-08", "2025-09-30", 0)]  // the National Day holiday after a due date loses no working day
    [InlineData("2025-10-09", "2025-09-30", -1)]
    public void The_countdown_reads_working_days_left_and_working_days_lost_once_overdue(string today, string due, int expected) =>
        Assert.Equal(expected, Calendar.WorkingDaysLeft(D(today), D(due)));

    [Fact]
    public void Negative_days_and_dates_out_of_range_are_refused_with_a_reason()
    {
        var negative = Assert.Throws<ArgumentException>(() => Calendar.Compute(new DeadlineRequest(D("2025-01-01"), -1, DayUnit.Natural)));
        Assert.Contains("zero or more", negative.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Calendar.Compute(new DeadlineRequest(D("2101-01-01"), 5, DayUnit.Natural)));
    }
}
