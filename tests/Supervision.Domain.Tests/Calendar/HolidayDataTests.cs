using System.Text.Json.Nodes;
using NodaTime;
using NodaTime.Text;
using Supervision.Domain.Calendar;

namespace Supervision.Domain.Tests.Calendar;

/// <summary>
/// The embedded notices against an independent transcription of DOMAIN.md §8, day by day in both directions; the
/// invariants of the data; and <see cref="HolidayNotice.Parse"/> refusing each kind of bad document with a clear message.
/// </summary>
public sealed class HolidayDataTests
{
    /// <summary>
    /// DOMAIN.md §8, copied by hand from the table (not from the data files): year → (rest blocks, make-up working days).
    /// "MM-DD..DD" stays in the month, "MM-DD..MM-DD" crosses it, a leading year overrides the notice's year.
    /// </summary>
    public static readonly TheoryData<int, string, string> Section8 = new()
    {
        { 2022, "01-01..03, 01-31..02-06, 04-03..05, 04-30..05-04, 06-03..05, 09-10..12, 10-01..07", "01-29, 01-30, 04-02, 04-24, 05-07, 10-08, 10-09" },
        { 2023, "2022-12-31..01-02, 01-21..27, 04-05, 04-29..05-03, 06-22..24, 09-29..10-06", "01-28, 01-29, 04-23, 05-06, 06-25, 10-07, 10-08" },
        { 2024, "01-01, 02-10..17, 04-04..06, 05-01..05, 06-10, 09-15..17, 10-01..07", "02-04, 02-18, 04-07, 04-28, 05-11, 09-14, 09-29, 10-12" },
        { 2025, "01-01, 01-28..02-04, 04-04..06, 05-01..05, 05-31..06-02, 10-01..08", "01-26, 02-08, 04-27, 09-28, 10-11" },
        { 2026, "01-01..03, 02-15..23, 04-04..06, 05-01..05, 06-19..21, 09-25..27, 10-01..07", "01-04, 02-14, 02-28, 05-09, 09-20, 10-10" },
    };

    private static readonly LegalCalendar Calendar = LegalCalendar.Default;

    private static LocalDate Date(int year, string text)
    {
        var parts = text.Split('-');
        return parts.Length == 3
            ? LocalDatePattern.Iso.Parse(text).Value
            : new LocalDate(year, int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static HashSet<LocalDate> RestDays(int year, string blocks)
    {
        var days = new HashSet<LocalDate>();
        foreach (var block in blocks.Split(", "))
        {
            var ends = block.Split("..");
            var from = Date(year, ends[0]);
            var to = ends.Length == 1 ? from
                : ends[1].Contains('-', StringComparison.Ordinal) ? Date(year, ends[1])
                : new LocalDate(from.Year, from.Month, int.Parse(ends[1], System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(to >= from, block);
            for (var d = from; d <= to; d = d.PlusDays(1))
            {
                days.Add(d);
            }
        }

        return days;
    }

    private static HashSet<LocalDate> MakeUpDays(int year, string days) => days.Split(", ").Select(d => Date(year, d)).ToHashSet();

    [Theory]
    [MemberData(nameof(Section8))]
    public void Each_years_file_has_exactly_the_rest_days_and_make_up_days_of_the_notice(int year, string blocks, string makeUps)
    {
        var notice = Calendar.Notices[year];
        var expectedRest = RestDays(year, blocks);
        var actualRest = notice.RestDays().ToHashSet();

        Assert.Empty(expectedRest.Except(actualRest)); // every notice rest day is in the file
        Assert.Empty(actualRest.Except(expectedRest)); // and the file has no other
        Assert.Equal(MakeUpDays(year, makeUps).Order(), notice.MakeUpWorkdays.Order());
        Assert.Contains("国务院办公厅关于" + year, notice.Source, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(notice.Version));
    }

    [Fact]
    public void Every_day_from_2022_to_2026_is_classified_as_the_notices_say()
    {
        var rest = Section8.SelectMany(row => RestDays((int)row[0], (string)row[1])).ToHashSet();
        var makeUp = Section8.SelectMany(row => MakeUpDays((int)row[0], (string)row[2])).ToHashSet();
        var checkedDays = 0;
        for (var d = new LocalDate(2022, 1, 1); d <= new LocalDate(2026, 12, 31); d = d.PlusDays(1))
        {
            var weekend = d.DayOfWeek is IsoDayOfWeek.Saturday or IsoDayOfWeek.Sunday;
            var expected = rest.Contains(d) ? DayKind.Holiday
                : makeUp.Contains(d) ? DayKind.MakeUpWorkday
                : weekend ? DayKind.Weekend
                : DayKind.Workday;
            Assert.True(expected == Calendar.Classify(d), $"{d:yyyy-MM-dd}: expected {expected}, got {Calendar.Classify(d)}");
            checkedDays++;
        }

        Assert.Equal(1826, checkedDays);
    }

    [Theory]
    [MemberData(nameof(Section8))]
    public void Rest_and_make_up_days_never_overlap_and_make_up_days_are_weekends(int year, string blocks, string makeUps)
    {
        _ = blocks;
        _ = makeUps;
        var notice = Calendar.Notices[year];
        var rest = notice.RestDays().ToHashSet();
        Assert.All(notice.MakeUpWorkdays, m =>
        {
            Assert.DoesNotContain(m, rest);
            Assert.Contains(m.DayOfWeek, new[] { IsoDayOfWeek.Saturday, IsoDayOfWeek.Sunday });
        });

        // Across years too: no notice makes a day worked that another rests.
        var allRest = Calendar.Notices.Values.SelectMany(n => n.RestDays()).ToHashSet();
        Assert.All(notice.MakeUpWorkdays, m => Assert.DoesNotContain(m, allRest));
    }

    [Fact]
    public void Years_without_a_notice_are_weekends_only()
    {
        Assert.False(Calendar.HasNotice(2027));
        Assert.Equal(DayKind.Workday, Calendar.Classify(new LocalDate(2027, 10, 1))); // a Friday: no holiday known yet
        Assert.Equal(DayKind.Weekend, Calendar.Classify(new LocalDate(2027, 10, 2)));
    }

    [Theory]
    [MemberData(nameof(Section8))]
    public void ToJson_then_Parse_round_trips(int year, string blocks, string makeUps)
    {
        _ = blocks;
        _ = makeUps;
        var notice = Calendar.Notices[year];
        var again = HolidayNotice.Parse(notice.ToJson());

        Assert.Equal(notice.ToJson(), again.ToJson());
        Assert.Equal(notice.RestBlocks, again.RestBlocks);
        Assert.Equal(notice.MakeUpWorkdays, again.MakeUpWorkdays);
        Assert.Equal((notice.Year, notice.Version, notice.Source), (again.Year, again.Version, again.Source));
    }

    /// <summary>Each kind of bad document, as an edit of the valid 2025 notice, and what the message must say.</summary>
    public static readonly TheoryData<string, string> BadDocuments = new()
    {
        { "not json", "not valid JSON" },
        { "null", "empty" },
        { "year=1999", "year must be between" },
        { "year=text", "not valid JSON" },
        { "version=", "version is required" },
        { "source=", "source is required" },
        { "restBlocks=[]", "at least one holiday block" },
        { "restBlocks=[null]", "restBlocks[0]" },
        { "block.from=2025-13-01", "restBlocks[0].from must be a date as YYYY-MM-DD" },
        { "block.to=2024-12-31", "ends before it starts" },
        { "block.to=2025-02-01", "more than 15 days" },
        { "block=2021", "does not touch 2025" },
        { "makeUp=2025-10-04", "both as a rest day and as a make-up working day" },
        { "makeUp=2025-09-29", "make-up days are weekend days" },
        { "makeUp=2030-01-05", "far outside 2025" },
        { "makeUp=29/09/2025", "makeUpWorkdays[0] must be a date" },
    };

    [Theory]
    [MemberData(nameof(BadDocuments))]
    public void Parse_rejects_a_bad_document_with_a_message_saying_what_to_fix(string edit, string message)
    {
        var json = Edit(Calendar.Notices[2025].ToJson(), edit);

        var e = Assert.Throws<CalendarDataException>(() => HolidayNotice.Parse(json));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_calendar_refuses_notices_that_contradict_each_other()
    {
        // A 2022 notice that works on 2022-12-31, which the 2023 notice rests.
        var doc = JsonNode.Parse(Calendar.Notices[2022].ToJson())!;
        doc["version"] = "2022.test";
        doc["makeUpWorkdays"]!.AsArray().Add("2022-12-31");
        var clashing = HolidayNotice.Parse(doc.ToJsonString());

        var e = Assert.Throws<CalendarDataException>(() => Calendar.With(clashing));
        Assert.Contains("2022-12-31", e.Message, StringComparison.Ordinal);
    }

    private static string Edit(string valid, string edit)
    {
        if (edit is "not json" or "null")
        {
            return edit == "null" ? "null" : "{ \"year\": 2025, ";
        }

        var doc = JsonNode.Parse(valid)!;
        var (key, value) = (edit.Split('=')[0], edit.Split('=')[1]);
        var block = doc["restBlocks"]!.AsArray()[0]!;
        switch (key)
        {
            case "year" when value == "text":
                doc["year"] = "2025";
                break;
            case "year":
                doc["year"] = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
            case "version" or "source":
                doc[key] = value;
                break;
            case "restBlocks":
                doc["restBlocks"] = JsonNode.Parse(value);
                break;
            case "block.from":
                block["from"] = value;
                break;
            case "block.to":
                block["to"] = value;
                break;
            case "block":
                block["from"] = $"{value}-05-01";
                block["to"] = $"{value}-05-03";
                break;
            case "makeUp":
                doc["makeUpWorkdays"]!.AsArray()[0] = value;
                break;
            default:
                throw new ArgumentException(edit);
        }

        return doc.ToJsonString();
    }
}
