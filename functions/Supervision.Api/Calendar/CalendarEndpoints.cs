using System.Text.Encodings.Web;
using System.Text.Json;
using Azure;
using NodaTime.Text;
using Supervision.Api.Platform;
using Supervision.Calendar.Storage;
using Supervision.Domain.Calendar;

// In the app's root namespace so HandlerApp needs no extra using (one line per feature there).
namespace Supervision.Api;

/// <summary>
/// The legal calendar over HTTP (docs/calendar.md):
/// <list type="bullet">
/// <item><c>GET /api/calendar/deadline?from=YYYY-MM-DD&amp;days=N&amp;unit=natural|working[&amp;rule=…&amp;article=…]</c>: the due date and its explanation.</item>
/// <item><c>GET /api/calendar/{year}</c>: the year's notice, rest blocks, make-up days and every day classified, or provisional.</item>
/// <item><c>PUT /api/calendar/notices/{year}</c> (policy <c>calendar-admin</c>): validate and store a notice; 201 when the year
/// had no stored notice, 200 when one was replaced or the same version is already in effect.</item>
/// </list>
/// Every error is <c>application/problem+json</c> whose <c>detail</c> says what to send instead.
/// </summary>
public static class CalendarEndpoints
{
    /// <summary>Notices are a few KB; anything far larger is not a notice.</summary>
    private const int MaxNoticeBytes = 64 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // Explanations are Chinese text; keep it readable rather than \u-escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IEndpointRouteBuilder MapCalendarEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/calendar").WithMetadata(new CalendarEndpointMarker()).WithTags("calendar");
        group.MapGet("/deadline", GetDeadlineAsync);
        group.MapGet("/{year}", GetYearAsync);
        group.MapPut("/notices/{year}", PutNoticeAsync).RequireAuthorization(CalendarServices.AdminPolicy);
        return app;
    }

    private static async Task<IResult> GetDeadlineAsync(
        CalendarStore store, string? from, string? days, string? unit, string? rule, string? article, CancellationToken cancellationToken)
    {
        try
        {
            var request = CalendarQuery.Deadline(from, days, unit, rule, article);
            var snapshot = await store.GetAsync(cancellationToken);
            var deadline = CalendarQuery.Compute(snapshot.Calendar, request);
            return Results.Json(ToDto(deadline, snapshot.StorageProblem), Json);
        }
        catch (CalendarInputException e)
        {
            return BadRequest("Invalid deadline request", e.Message);
        }
    }

    private static async Task<IResult> GetYearAsync(CalendarStore store, string year, CancellationToken cancellationToken)
    {
        int y;
        try
        {
            y = CalendarQuery.Year(year);
        }
        catch (CalendarInputException e)
        {
            return BadRequest("Invalid year", e.Message);
        }

        var snapshot = await store.GetAsync(cancellationToken);
        var view = CalendarYear.Describe(snapshot, y);
        return Results.Json(
            new
            {
                view.Year,
                view.Provisional,
                view.ProvisionalBecause,
                Notice = view.Provisional
                    ? null
                    : new { view.Source, view.Version, Origin = view.Origin == NoticeOrigin.Stored ? "stored" : "embedded" },
                RestBlocks = view.RestBlocks.Select(b => new { b.Name, From = CalendarQuery.Iso(b.From), To = CalendarQuery.Iso(b.To) }),
                MakeUpWorkdays = view.MakeUpWorkdays.Select(CalendarQuery.Iso),
                view.WorkingDays,
                view.RestDays,
                view.CalendarVersion,
                snapshot.StorageProblem,
                Days = view.Days.Select(d => new { Date = CalendarQuery.Iso(d.Date), Kind = Kind(d.Kind), Holiday = d.HolidayName }),
            },
            Json);
    }

    private static async Task<IResult> PutNoticeAsync(CalendarStore store, string year, HttpRequest request, CancellationToken cancellationToken)
    {
        int routeYear;
        try
        {
            routeYear = CalendarQuery.Year(year);
        }
        catch (CalendarInputException e)
        {
            return BadRequest("Invalid year", e.Message);
        }

        if (!store.IsConfigured)
        {
            return Results.Problem(
                title: "Calendar storage not configured",
                detail: "Set AzureWebJobsStorage (a connection string) or AzureWebJobsStorage__blobServiceUri so notices can be stored.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        if (request.ContentLength > MaxNoticeBytes)
        {
            return BadRequest("Notice too large", $"A notice is a few KB of JSON; this body has {request.ContentLength} bytes (limit {MaxNoticeBytes}).");
        }

        // The API's one body reader (cap, JSON object, valid text in every field → 400 naming it), then the notice's own rules.
        using var read = await HttpInput.ReadObjectAsync(request, MaxNoticeBytes, cancellationToken, emptyIsObject: false);
        if (read.Problem is not null)
        {
            return read.Problem;
        }

        HolidayNotice notice;
        try
        {
            notice = HolidayNotice.Parse(read.Text!);
        }
        catch (CalendarDataException e)
        {
            return BadRequest("Invalid holiday notice", e.Message);
        }

        if (notice.Year != routeYear)
        {
            return Results.Problem(
                title: "Year mismatch",
                detail: $"The body is the notice for {notice.Year} but the route says {routeYear}; PUT it to /api/calendar/notices/{notice.Year}.",
                statusCode: StatusCodes.Status409Conflict);
        }

        try
        {
            var result = await store.SaveAsync(notice, cancellationToken);
            var payload = new
            {
                result.Notice.Year,
                result.Notice.Version,
                result.Notice.Source,
                Replaced = result.Replaced is { } r ? new { r.Version, r.Source } : null,
                result.Unchanged,
                Blob = $"{store.ContainerName}/{CalendarStore.NoticeBlobName(notice.Year)}",
            };
            return result.Created
                ? Results.Json(payload, Json, statusCode: StatusCodes.Status201Created)
                : Results.Json(payload, Json);
        }
        catch (CalendarDataException e)
        {
            return BadRequest("Notice inconsistent with the calendar", e.Message);
        }
        catch (CalendarConflictException e)
        {
            return Results.Problem(title: "Notice conflict", detail: e.Message, statusCode: StatusCodes.Status409Conflict);
        }
        catch (Exception e) when (e is RequestFailedException or InvalidOperationException)
        {
            return Results.Problem(
                title: "Calendar storage unavailable",
                detail: $"The notice is valid but could not be stored ({e.Message.Split('\n')[0]}); nothing was changed, retry later.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static object ToDto(Deadline deadline, string? storageProblem)
    {
        var e = deadline.Explanation;
        return new
        {
            DueDate = CalendarQuery.Iso(deadline.DueDate),
            DueInstant = InstantPattern.ExtendedIso.Format(deadline.DueInstant),
            deadline.Provisional,
            StorageProblem = storageProblem,
            Explanation = new
            {
                Trigger = CalendarQuery.Iso(e.Trigger),
                e.Days,
                Unit = CalendarQuery.Unit(e.Unit),
                e.Rule,
                e.Article,
                RawLastDay = CalendarQuery.Iso(e.RawLastDay),
                DueDate = CalendarQuery.Iso(e.DueDate),
                e.RolledBecause,
                Pauses = e.Pauses.Select(p => new { From = CalendarQuery.Iso(p.From), To = CalendarQuery.Iso(p.To), p.Reason }),
                Extension = e.Extension is { } x ? new { x.Days, x.Reason } : null,
                e.CalendarVersion,
                e.ProvisionalBecause,
                e.Lines,
            },
        };
    }

    private static string Kind(DayKind kind) => kind switch
    {
        DayKind.Workday => "workday",
        DayKind.Weekend => "weekend",
        DayKind.Holiday => "holiday",
        _ => "makeUpWorkday",
    };

    private static IResult BadRequest(string title, string detail) =>
        Results.Problem(title: title, detail: detail, statusCode: StatusCodes.Status400BadRequest);
}

/// <summary>Marks calendar endpoints so <see cref="CalendarAuthorizationResultHandler"/> answers their 401/403 with problem+json.</summary>
internal sealed class CalendarEndpointMarker;
