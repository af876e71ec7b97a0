using System.Globalization;
using System.Text;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;
using Supervision.Api.Auth;
using Supervision.Api.Platform;
using Supervision.Domain.Backlog;
using Supervision.Domain.Cases;
using Supervision.Domain.Metrics;
using Supervision.Domain.Org;
using Supervision.Domain.Tickets;

namespace Supervision.Api.Oversight;

/// <summary>
/// The scorecard (红黄榜) of a month, computed on request by <see cref="Scorecard.Compute"/> from the recorded events of
/// every case and ticket instance (rebuildable: nothing is stored but the events). JSON, CSV (UTF-8 with BOM, so Excel
/// shows Chinese) or XLSX. Scoped: a supervisor, leader or conference-office member sees the units under their level's
/// government; an administrator sees all.
/// </summary>
public static class ScorecardEndpoints
{
    public static RouteGroupBuilder MapScorecardEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/scorecard", GetAsync).WithTags("scorecard").WithName("scorecard")
            .WithSummary("The 红黄榜 of a month (month=yyyy-MM, optional unit) from recorded events; format=json (default), csv or xlsx.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .Produces(StatusCodes.Status200OK, contentType: ScorecardExport.XlsxContentType);
        return api;
    }

    private static async Task<IResult> GetAsync(HttpContext http, string? month, string? unit, string? format, CancellationToken ct)
    {
        var s = SupervisionServices.Of(http);
        var (org, person) = await SupervisionHttp.WhoAsync(http, s, ct);
        var admin = http.User.IsInRole(SupervisionClaims.AdminRole);
        if (!admin && (person is null || !person.Roles.Any(r => r.Role is Role.Supervisor or Role.Leader or Role.ConferenceStaff)))
        {
            return Problems.Forbidden("The scorecard is for supervisors, leaders and conference-office staff.");
        }

        var now = s.Now();
        YearMonth ym;
        if (month is null)
        {
            ym = Domain.Calendar.LegalCalendar.LocalDateOf(now).ToYearMonth();
        }
        else if (YearMonthPattern.Iso.Parse(month) is { Success: true } parsed)
        {
            ym = parsed.Value;
        }
        else
        {
            return Problems.Invalid("month is yyyy-MM, e.g. 2025-11.");
        }

        var kind = (format ?? "json").ToLowerInvariant();
        if (kind is not ("json" or "csv" or "xlsx"))
        {
            return Problems.Invalid("format is json, csv or xlsx.");
        }

        if (unit is not null && org.Unit(unit) is null)
        {
            return Problems.NotFound($"No unit '{unit}'.");
        }

        // The repeat-petitions column comes from the petitions read model, as the caller may see it (accusation guard).
        var repeats = RepeatAnalysis.RepeatsByUnit(await RepeatAnalysis.RowsAsync(s.Storage, org, admin ? null : person, ym, unit, ct));
        var cases = await EventsAsync<CaseEvent>(s, CaseDecider.Type, CaseJson.Options, ct);
        var tickets = await EventsAsync<TicketEvent>(s, TicketDecider.Type, TicketJson.Options, ct);

        // 化解率 from the campaigns' events, without the backlog entries of accusations the guard keeps from the caller.
        var campaigns = await EventsAsync<CampaignEvent>(s, CampaignDecider.Type, CampaignJson.Options, ct);
        var beside = new ScorecardBeside(repeats, BacklogRates.AsOf(
            campaigns, ym, e => admin || !AccusationGuard.ExcludesPerson(org, e.Category, e.AccusedUnitId, e.AccusedPersonId, person!.Id)));
        bool InScope(string u) => (unit is null || u == unit) && (admin || SupervisionVisibility.Oversees(org, person!, u));
        var rows = Scorecard.Compute(cases, tickets, now).Where(m => m.Month == ym && InScope(m.UnitId)).ToList();

        // A unit with backlog cases but no duty this month still shows its 化解率, on a row without a score.
        var unscored = beside.Backlog.Keys.Where(u => InScope(u) && !rows.Any(m => m.UnitId == u)).Order(StringComparer.Ordinal).ToList();
        rows.AddRange(unscored.Select(u => new UnitMonthMetrics(u, ym)));
        beside = beside with { Unscored = unscored.ToHashSet(StringComparer.Ordinal) };
        var name = $"scorecard-{ym.ToString("yyyy-MM", CultureInfo.InvariantCulture)}";
        return kind switch
        {
            "csv" => Results.File(ScorecardExport.Csv(org, rows, beside), "text/csv; charset=utf-8", name + ".csv"),
            "xlsx" => Results.File(ScorecardExport.Xlsx(org, rows, beside), ScorecardExport.XlsxContentType, name + ".xlsx"),
            _ => Results.Json(new
            {
                month = ym.ToString("yyyy-MM", CultureInfo.InvariantCulture),
                asOf = now,
                units = rows.Select(m => ScorecardExport.Json(org, m, beside)),
            }, TicketJson.Options),
        };
    }

    /// <summary>Every recorded event of every instance of a type, with the decision instant stored with it.</summary>
    private static async Task<List<RecordedEvent>> EventsAsync<T>(SupervisionServices s, string type, JsonSerializerOptions json, CancellationToken ct)
    {
        var all = new List<RecordedEvent>();
        await foreach (var (id, _) in s.Store.ListAsync(type, ct))
        {
            foreach (var e in await s.Store.ReadEventsAsync(type, id, ct))
            {
                all.Add(new RecordedEvent(id, e.Sequence, Instant.FromDateTimeOffset(e.At), JsonSerializer.Deserialize<T>(e.Data, json)!));
            }
        }

        return all;
    }
}

/// <summary>
/// Figures shown beside a unit's scorecard row that do not enter its score: repeat petitions of the month
/// (<see cref="RepeatAnalysis.RepeatsByUnit"/>) and the backlog with its 化解率 (<see cref="BacklogRates"/>).
/// </summary>
public sealed record ScorecardBeside(IReadOnlyDictionary<string, int> Repeats, IReadOnlyDictionary<string, BacklogFigures> Backlog)
{
    /// <summary>Rows only for the figures beside (no duty in the month): no score, no list, no rank.</summary>
    public IReadOnlySet<string> Unscored { get; init; } = new HashSet<string>();

    public static ScorecardBeside None { get; } = new(new Dictionary<string, int>(), new Dictionary<string, BacklogFigures>());

    public BacklogFigures BacklogOf(string unitId) => Backlog.GetValueOrDefault(unitId) ?? new BacklogFigures(0, 0);
}

/// <summary>The scorecard's shapes: JSON item, CSV (UTF-8 with BOM) and XLSX, with the same columns.</summary>
public static class ScorecardExport
{
    public const string XlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static readonly string[] Headers =
    [
        "单位编码", "单位名称", "月份", "应及时受理", "及时受理", "及时受理率", "应按期办结", "按期办结", "按期办结率", "出具意见", "参评", "参评率",
        "满意", "基本满意", "不满意", "满意率", "黄灯件", "红灯件", "督办单", "催办", "文书督办", "约谈督办", "实地督办", "提请联席会议", "逾期反馈", "得分", "榜单", "名次", "重复信访",
        "积案", "已化解", "化解率",
    ];

    /// <summary>A unit's scorecard item with the figures shown beside it (none when <paramref name="beside"/> is null).</summary>
    public static object Json(OrgDirectory org, UnitMonthMetrics m, ScorecardBeside? beside = null)
    {
        beside ??= ScorecardBeside.None;
        var backlog = beside.BacklogOf(m.UnitId);
        return new
        {
            unitId = m.UnitId,
            unitName = org.Unit(m.UnitId)?.Name,
            month = m.Month.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            m.AcceptanceDue,
            m.AcceptanceOnTime,
            m.TimelyAcceptanceRate,
            m.CompletionDue,
            m.CompletionOnTime,
            m.OnTimeCompletionRate,
            m.OpinionsIssued,
            m.Rated,
            m.ParticipationRate,
            m.Satisfied,
            m.BasicallySatisfied,
            m.Dissatisfied,
            m.SatisfactionRate,
            m.YellowCases,
            m.RedCases,
            m.TicketsRaised,
            ticketsByForm = Enum.GetValues<SupervisionForm>().ToDictionary(f => f.ToString(), f => m.TicketsByForm.GetValueOrDefault(f)),
            m.TicketsAnsweredLate,
            score = beside.Unscored.Contains(m.UnitId) ? (double?)null : m.Score,
            list = m.List.ToString(),
            m.Rank,
            repeatPetitions = beside.Repeats.GetValueOrDefault(m.UnitId),
            backlogCases = backlog.Listed,
            backlogResolved = backlog.Resolved,
            backlogResolutionRate = backlog.ResolutionRate,
        };
    }

    public static IEnumerable<object?[]> Rows(OrgDirectory org, IEnumerable<UnitMonthMetrics> rows, ScorecardBeside? beside = null)
    {
        beside ??= ScorecardBeside.None;
        foreach (var m in rows)
        {
            var backlog = beside.BacklogOf(m.UnitId);
            yield return
            [
                m.UnitId, org.Unit(m.UnitId)?.Name ?? string.Empty, m.Month.ToString("yyyy-MM", CultureInfo.InvariantCulture),
                m.AcceptanceDue, m.AcceptanceOnTime, m.TimelyAcceptanceRate, m.CompletionDue, m.CompletionOnTime, m.OnTimeCompletionRate,
                m.OpinionsIssued, m.Rated, m.ParticipationRate, m.Satisfied, m.BasicallySatisfied, m.Dissatisfied, m.SatisfactionRate,
                m.YellowCases, m.RedCases, m.TicketsRaised,
                .. Enum.GetValues<SupervisionForm>().Select(f => (object?)m.TicketsByForm.GetValueOrDefault(f)),
                m.TicketsAnsweredLate, beside.Unscored.Contains(m.UnitId) ? null : m.Score,
                m.List switch { ListPlacement.Red => "红榜", ListPlacement.Yellow => "黄榜", _ => string.Empty },
                m.Rank == 0 ? null : m.Rank,
                beside.Repeats.GetValueOrDefault(m.UnitId),
                backlog.Listed, backlog.Resolved, backlog.ResolutionRate,
            ];
        }
    }

    /// <summary>RFC 4180 CSV, UTF-8 with a BOM (Excel otherwise reads Chinese as ANSI); rates as fractions with 4 decimals.</summary>
    public static byte[] Csv(OrgDirectory org, IEnumerable<UnitMonthMetrics> rows, ScorecardBeside? beside = null)
    {
        var text = new StringBuilder();
        text.Append(string.Join(',', Headers.Select(Quote))).Append("\r\n");
        foreach (var row in Rows(org, rows, beside))
        {
            text.Append(string.Join(',', row.Select(Cell))).Append("\r\n");
        }

        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }

    internal static string Cell(object? v) => v switch
    {
        null => string.Empty,
        double d => d.ToString("0.####", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Quote(v.ToString() ?? string.Empty),
    };

    internal static string Quote(string s)
    {
        // A leading =, +, - or @ would run as a formula when the file is opened in Excel: prefix it with an apostrophe.
        var safe = s.Length > 0 && s[0] is '=' or '+' or '-' or '@' ? "'" + s : s;
        return safe.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + safe.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : safe;
    }

    public static byte[] Xlsx(OrgDirectory org, IEnumerable<UnitMonthMetrics> rows, ScorecardBeside? beside = null) =>
        XlsxWriter.Write("红黄榜", Headers, Rows(org, rows, beside));
}
