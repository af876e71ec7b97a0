using System.Globalization;
using NodaTime;
using NodaTime.Text;
using Supervision.Domain.Calendar;

namespace Supervision.Calendar.Storage;

/// <summary>Operator input that cannot be used; the message says what to send instead. HTTP 400, CLI exit code 2.</summary>
public sealed class CalendarInputException : Exception
{
    public CalendarInputException(string message)
        : base(message)
    {
    }

    public CalendarInputException()
    {
    }

    public CalendarInputException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>Parses and checks the operator inputs shared by the HTTP API and the CLI, so both refuse the same things the same way.</summary>
public static class CalendarQuery
{
    /// <summary>The longest period accepted: ten years of days is far beyond any legal clock in the regulation.</summary>
    public const int MaxDays = 3650;

    /// <summary>Builds a deadline request from text inputs.</summary>
    /// <exception cref="CalendarInputException">An input is missing or invalid.</exception>
    public static DeadlineRequest Deadline(string? from, string? days, string? unit, string? rule = null, string? article = null) =>
        new(Date(from, "from"), Days(days), Unit(unit), rule?.Trim() ?? string.Empty, article?.Trim() ?? string.Empty);

    /// <summary>Computes, turning range errors of the arithmetic (a result beyond the supported years) into input errors.</summary>
    /// <exception cref="CalendarInputException">The request cannot be computed.</exception>
    public static Deadline Compute(LegalCalendar calendar, DeadlineRequest request)
    {
        try
        {
            return calendar.Compute(request);
        }
        catch (ArgumentException e)
        {
            throw new CalendarInputException(e.Message.Split(" (Parameter")[0]);
        }
    }

    public static LocalDate Date(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new CalendarInputException($"{name} is required: the trigger date as YYYY-MM-DD, e.g. 2025-09-10.");
        }

        var parsed = LocalDatePattern.Iso.Parse(text.Trim());
        if (!parsed.Success)
        {
            throw new CalendarInputException($"{name} must be a date as YYYY-MM-DD (e.g. 2025-09-10), got '{text}'.");
        }

        if (!LegalCalendar.InRange(parsed.Value))
        {
            throw new CalendarInputException(
                $"{name} must be in the years {LegalCalendar.MinYear}–{LegalCalendar.MaxYear} the calendar covers, got {text}.");
        }

        return parsed.Value;
    }

    public static int Days(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new CalendarInputException("days is required: the length of the period, a whole number ≥ 0 (e.g. 15).");
        }

        if (!int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var days))
        {
            throw new CalendarInputException($"days must be a whole number ≥ 0 (e.g. 15), got '{text}'.");
        }

        return days switch
        {
            < 0 => throw new CalendarInputException($"days must be zero or more, got {days}."),
            > MaxDays => throw new CalendarInputException($"days must be at most {MaxDays}, got {days}."),
            _ => days,
        };
    }

    /// <summary>"natural" (N日) or "working" (N个工作日); the Chinese terms are accepted too.</summary>
    public static DayUnit Unit(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "natural" or "日" => DayUnit.Natural,
        "working" or "工作日" or "个工作日" => DayUnit.Working,
        null or "" => throw new CalendarInputException("unit is required: 'natural' (N日) or 'working' (N个工作日)."),
        _ => throw new CalendarInputException($"unit must be 'natural' (N日) or 'working' (N个工作日), got '{text}'."),
    };

    public static int Year(string? text)
    {
        if (!int.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || year is < LegalCalendar.MinYear or > LegalCalendar.MaxYear)
        {
            throw new CalendarInputException(
                $"year must be a whole number between {LegalCalendar.MinYear} and {LegalCalendar.MaxYear}, got '{text}'.");
        }

        return year;
    }

    public static string Iso(LocalDate date) => LocalDatePattern.Iso.Format(date);

    public static string Unit(DayUnit unit) => unit == DayUnit.Natural ? "natural" : "working";
}
