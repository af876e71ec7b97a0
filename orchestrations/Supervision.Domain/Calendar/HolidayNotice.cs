using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Text;

namespace Supervision.Domain.Calendar;

/// <summary>One holiday block of a State Council notice: rest days including the weekend days inside it.</summary>
public sealed record RestBlock(string Name, LocalDate From, LocalDate To);

/// <summary>
/// The holiday schedule of one year as published by the State Council (国务院办公厅关于部分节假日安排的通知).
/// Holidays cannot be computed from rules, so each year is versioned data with its source (DOMAIN.md §8).
/// A block may start in the previous year (the 2023 New Year block starts on 2022-12-31).
/// </summary>
/// <param name="Year">The year the notice is for.</param>
/// <param name="Version">Data version, bumped when a notice is corrected; recorded in every deadline explanation.</param>
/// <param name="Source">The notice's title (and number where known).</param>
/// <param name="RestBlocks">Rest blocks (放假), inclusive, including weekends inside a block.</param>
/// <param name="MakeUpWorkdays">Weekend days that are working days (调休上班).</param>
public sealed record HolidayNotice(
    int Year, string Version, string Source, IReadOnlyList<RestBlock> RestBlocks, IReadOnlyList<LocalDate> MakeUpWorkdays)
{
    /// <summary>Every rest date of the notice's blocks.</summary>
    public IEnumerable<LocalDate> RestDays() =>
        RestBlocks.SelectMany(b => Enumerable.Range(0, Period.DaysBetween(b.From, b.To) + 1).Select(i => b.From.PlusDays(i)));

    /// <summary>
    /// Parses and validates a notice file. Errors say what to fix; nothing is partially accepted.
    /// </summary>
    /// <exception cref="CalendarDataException">The document is malformed or inconsistent.</exception>
    public static HolidayNotice Parse(string json)
    {
        NoticeDocument? doc;
        try
        {
            doc = JsonSerializer.Deserialize<NoticeDocument>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new CalendarDataException($"The notice is not valid JSON: {e.Message}");
        }

        if (doc is null)
        {
            throw new CalendarDataException("The notice is empty.");
        }

        if (doc.Year is < LegalCalendar.MinYear or > LegalCalendar.MaxYear)
        {
            throw new CalendarDataException($"year must be between {LegalCalendar.MinYear} and {LegalCalendar.MaxYear}, got {doc.Year}.");
        }

        if (string.IsNullOrWhiteSpace(doc.Version))
        {
            throw new CalendarDataException("version is required (bump it whenever the data changes).");
        }

        if (string.IsNullOrWhiteSpace(doc.Source))
        {
            throw new CalendarDataException("source is required: the title of the State Council notice.");
        }

        if (doc.RestBlocks is not { Count: > 0 })
        {
            throw new CalendarDataException("restBlocks must list at least one holiday block.");
        }

        var blocks = doc.RestBlocks.Select((b, i) =>
        {
            if (b is null)
            {
                throw new CalendarDataException($"restBlocks[{i}] is null; each block needs name, from and to.");
            }

            var from = ParseDate(b.From, $"restBlocks[{i}].from");
            var to = ParseDate(b.To, $"restBlocks[{i}].to");
            if (to < from)
            {
                throw new CalendarDataException($"restBlocks[{i}] ({b.Name}) ends before it starts.");
            }

            if (Period.DaysBetween(from, to) > 14)
            {
                throw new CalendarDataException($"restBlocks[{i}] ({b.Name}) spans more than 15 days; check the dates.");
            }

            if (to.Year != doc.Year && from.Year != doc.Year)
            {
                throw new CalendarDataException($"restBlocks[{i}] ({b.Name}) does not touch {doc.Year}.");
            }

            return new RestBlock(b.Name ?? string.Empty, from, to);
        }).ToList();

        var makeUps = (doc.MakeUpWorkdays ?? []).Select((d, i) => ParseDate(d, $"makeUpWorkdays[{i}]")).ToList();
        var notice = new HolidayNotice(doc.Year, doc.Version, doc.Source, blocks, makeUps);

        var rest = notice.RestDays().ToHashSet();
        foreach (var m in makeUps)
        {
            if (rest.Contains(m))
            {
                throw new CalendarDataException($"{m:yyyy-MM-dd} is listed both as a rest day and as a make-up working day.");
            }

            if (m.DayOfWeek is not (IsoDayOfWeek.Saturday or IsoDayOfWeek.Sunday))
            {
                throw new CalendarDataException($"make-up working day {m:yyyy-MM-dd} is a {m.DayOfWeek}; make-up days are weekend days.");
            }

            if (m.Year != doc.Year && Math.Abs(m.Year - doc.Year) > 1)
            {
                throw new CalendarDataException($"make-up working day {m:yyyy-MM-dd} is far outside {doc.Year}.");
            }
        }

        return notice;
    }

    /// <summary>Serializes to the same document shape <see cref="Parse"/> reads.</summary>
    public string ToJson() => JsonSerializer.Serialize(
        new NoticeDocument
        {
            Year = Year,
            Version = Version,
            Source = Source,
            RestBlocks = RestBlocks.Select(b => new BlockDocument { Name = b.Name, From = Iso(b.From), To = Iso(b.To) }).ToList(),
            MakeUpWorkdays = MakeUpWorkdays.Select(Iso).ToList(),
        },
        JsonOptions);

    private static string Iso(LocalDate d) => LocalDatePattern.Iso.Format(d);

    private static LocalDate ParseDate(string? text, string field)
    {
        var result = LocalDatePattern.Iso.Parse(text ?? string.Empty);
        return result.Success ? result.Value : throw new CalendarDataException($"{field} must be a date as YYYY-MM-DD, got '{text}'.");
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private sealed class NoticeDocument
    {
        public int Year { get; set; }

        public string? Version { get; set; }

        public string? Source { get; set; }

        public string? Note { get; set; }

        public List<BlockDocument>? RestBlocks { get; set; }

        public List<string>? MakeUpWorkdays { get; set; }
    }

    private sealed class BlockDocument
    {
        public string? Name { get; set; }

        public string? From { get; set; }

        public string? To { get; set; }
    }
}

/// <summary>Holiday data that cannot be accepted; the message says what to fix and is safe to show.</summary>
public sealed class CalendarDataException : Exception
{
    public CalendarDataException(string message)
        : base(message)
    {
    }

    public CalendarDataException()
    {
    }

    public CalendarDataException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
