using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using NodaTime;
using NodaTime.Text;
using Supervision.Api.Auth;
using Supervision.Api.Platform;
using Supervision.Domain.Cases;
using Supervision.Domain.Org;
using Supervision.Domain.Tickets;
using Supervision.Orchestrations;

namespace Supervision.Api.Oversight;

/// <summary>
/// The repeat analysis (重复信访, Arts. 19, 36; docs/analysis.md): per unit and month, repeat petitions, distinct repeated
/// matters, the most repeated matters and how many petitioners petitioned twice or more — read from the <c>petitions</c>
/// read model the case orchestration writes (<see cref="PetitionRow"/>), never by scanning cases. For supervisors, leaders
/// and conference-office staff (the units under their level's government) and administrators (all); rows of an
/// accusation are dropped for everyone the accusation guard excludes, as in the case list.
/// </summary>
public static class AnalysisEndpoints
{
    public static RouteGroupBuilder MapAnalysisEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/analysis/repeats", GetAsync).WithTags("analysis").WithName("repeatAnalysis")
            .WithSummary("重复信访 of a month (month=yyyy-MM, optional unit; format=json (default) or csv): per unit, repeat petitions, distinct repeated matters, top matters, petitioners with two or more petitions.")
            .WithDescription("Counts rows of the petitions read model: one per petition (registration or recorded repeat), in the month it was received, under the unit answerable for the matter then. Petitioners are counted, never shown.")
            .Produces<RepeatReport>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/analysis", GetAnalysisAsync).WithTags("analysis").WithName("analysis")
            .WithSummary("分析研判 of a month (month=yyyy-MM, months=1..24 of trend, optional unit; format=json (default), csv or xlsx): counts by category, channel, unit and area, trend with month over month and year over year, hot matters, overdue and satisfaction by unit.")
            .WithDescription("Reads the analysis aggregates the case orchestration keeps (counters per month partition), never the cases. Accusations against the caller are not counted in what the caller sees.")
            .Produces<AnalysisReport>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .Produces(StatusCodes.Status200OK, contentType: ScorecardExport.XlsxContentType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    /// <summary>The 分析研判 report (docs/analysis.md, decision A21): scoped like the scorecard, accusation guard on every row.</summary>
    private static async Task<IResult> GetAnalysisAsync(HttpContext http, CancellationToken ct)
    {
        var query = new QueryParams(http.Request.Query);
        var monthText = query.Text("month", 7);
        var monthsText = query.Text("months", 2);
        var format = query.Text("format", 4);
        var unit = query.Text("unit", OrgDirectory.MaxIdLength);
        YearMonth? month = null;
        if (monthText is not null)
        {
            if (YearMonthPattern.Iso.Parse(monthText) is { Success: true } parsed && parsed.Value.Year is >= 2000 and <= 2999)
            {
                month = parsed.Value;
            }
            else
            {
                query.Fail("month", "month is yyyy-MM, e.g. 2025-11");
            }
        }

        var window = 12;
        if (monthsText is not null && !(int.TryParse(monthsText, NumberStyles.None, CultureInfo.InvariantCulture, out window) && window is >= 1 and <= 24))
        {
            query.Fail("months", "months is a whole number of months of trend, 1 to 24");
        }

        var kind = (format ?? "json").ToLowerInvariant();
        if (format is not null && kind is not ("json" or "csv" or "xlsx"))
        {
            query.Fail("format", "format is json, csv or xlsx");
        }

        if (query.Problem is { } bad)
        {
            return bad;
        }

        var s = SupervisionServices.Of(http);
        var (org, person) = await SupervisionHttp.WhoAsync(http, s, ct);
        var admin = http.User.IsInRole(SupervisionClaims.AdminRole);
        if (!admin && (person is null || !RepeatAnalysis.MayRead(person)))
        {
            return Problems.Forbidden("The analysis is for supervisors, leaders and conference-office staff.");
        }

        if (unit is not null && (org.Unit(unit) is null || (!admin && !SupervisionVisibility.Oversees(org, person!, unit))))
        {
            return Problems.NotFound($"No unit '{unit}' that you oversee.");
        }

        var now = s.Now();
        var ym = month ?? Domain.Calendar.LegalCalendar.LocalDateOf(now).ToYearMonth();
        var table = await s.Storage.ReadModelAsync(AnalysisCounters.Model);
        var report = await AnalysisQuery.ReadAsync(
            table, org, ym, window, now, admin ? null : SupervisionVisibility.OverseenGovernments(org, person!), unit,
            u => (unit is null || u == unit) && (admin || SupervisionVisibility.Oversees(org, person!, u)),
            (category, accusedUnit, accusedPerson) => !admin && AccusationGuard.ExcludesPerson(org, category, accusedUnit, accusedPerson, person!.Id),
            ct);
        var name = $"analysis-{report.Month}";
        return kind switch
        {
            "csv" => Results.File(AnalysisCsv(report), "text/csv; charset=utf-8", name + ".csv"),
            "xlsx" => Results.File(XlsxWriter.Write("分析研判", AnalysisQuery.Headers, AnalysisQuery.Rows(report)), ScorecardExport.XlsxContentType, name + ".xlsx"),
            _ => Results.Json(report, TicketJson.Options),
        };
    }

    /// <summary>RFC 4180 CSV, UTF-8 with a BOM, formula characters neutralised (as the scorecard).</summary>
    public static byte[] AnalysisCsv(AnalysisReport report)
    {
        var text = new StringBuilder();
        text.Append(string.Join(',', AnalysisQuery.Headers.Select(ScorecardExport.Quote))).Append("\r\n");
        foreach (var cells in AnalysisQuery.Rows(report))
        {
            text.Append(string.Join(',', cells.Select(ScorecardExport.Cell))).Append("\r\n");
        }

        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }

    private static async Task<IResult> GetAsync(HttpContext http, CancellationToken ct)
    {
        // The query first: a bad parameter is 400 naming it, before any storage call.
        var query = new QueryParams(http.Request.Query);
        var monthText = query.Text("month", 7);
        var format = query.Text("format", 4);
        var unit = query.Text("unit", OrgDirectory.MaxIdLength);
        YearMonth? month = null;
        if (monthText is not null)
        {
            if (YearMonthPattern.Iso.Parse(monthText) is { Success: true } parsed && parsed.Value.Year is >= 2000 and <= 2999)
            {
                month = parsed.Value;
            }
            else
            {
                query.Fail("month", "month is yyyy-MM, e.g. 2025-11");
            }
        }

        var kind = (format ?? "json").ToLowerInvariant();
        if (format is not null && kind is not ("json" or "csv"))
        {
            query.Fail("format", "format is json or csv");
        }

        if (query.Problem is { } bad)
        {
            return bad;
        }

        var s = SupervisionServices.Of(http);
        var (org, person) = await SupervisionHttp.WhoAsync(http, s, ct);
        var admin = http.User.IsInRole(SupervisionClaims.AdminRole);
        if (!admin && (person is null || !RepeatAnalysis.MayRead(person)))
        {
            return Problems.Forbidden("The repeat analysis is for supervisors, leaders and conference-office staff.");
        }

        if (unit is not null && (org.Unit(unit) is null || (!admin && !SupervisionVisibility.Oversees(org, person!, unit))))
        {
            // The same answer for a unit that does not exist and one the caller does not oversee.
            return Problems.NotFound($"No unit '{unit}' that you oversee.");
        }

        var now = s.Now();
        var ym = month ?? Domain.Calendar.LegalCalendar.LocalDateOf(now).ToYearMonth();
        var rows = await RepeatAnalysis.RowsAsync(s.Storage, org, admin ? null : person, ym, unit, ct);
        var report = RepeatAnalysis.Report(org, ym, now, rows);
        return kind == "csv"
            ? Results.File(RepeatAnalysis.Csv(report), "text/csv; charset=utf-8", $"repeats-{report.Month}.csv")
            : Results.Json(report, TicketJson.Options);
    }
}

/// <summary>A matter petitioned about repeatedly: its key (a short form of the matter fingerprint), how often, and the latest case.</summary>
public sealed record RepeatMatter(string MatterKey, int Count, string LatestCaseId, string LatestReceivedOn);

/// <summary>One unit's month.</summary>
/// <param name="UnitId">The unit (<c>*</c> for the total).</param>
/// <param name="UnitName">Its name in the directory.</param>
/// <param name="Petitions">Petitions counted under the unit (registrations and repeats).</param>
/// <param name="RepeatPetitions">Of them, repeats: petitions on a matter already open (Art. 19) or final (Art. 36).</param>
/// <param name="RepeatedMatters">Distinct matters among the repeats.</param>
/// <param name="PetitionersWithRepeats">Petitioners with two or more petitions under the unit this month (a count; never who).</param>
/// <param name="TopMatters">The most repeated matters, at most <see cref="RepeatAnalysis.TopMatters"/>.</param>
public sealed record UnitRepeats(
    string UnitId, string? UnitName, int Petitions, int RepeatPetitions, int RepeatedMatters, int PetitionersWithRepeats, IReadOnlyList<RepeatMatter> TopMatters);

/// <summary>The month's repeat analysis as the caller may see it; <paramref name="Total"/> counts across all the caller's units.</summary>
public sealed record RepeatReport(string Month, Instant AsOf, UnitRepeats Total, IReadOnlyList<UnitRepeats> Units);

/// <summary>Reads and counts <see cref="PetitionRow"/> rows (docs/analysis.md).</summary>
public static class RepeatAnalysis
{
    /// <summary>Up to this many units the caller oversees, each unit's partition is read; above it, the month's range.</summary>
    public const int PointQueryUnits = 100;

    public const int TopMatters = 5;

    public static readonly string[] CsvHeaders =
        ["单位编码", "单位名称", "月份", "信访件次", "重复信访件次", "重复信访事项数", "多次信访人数（≥2次）", "重复最多的事项（事项键×次数，最近事项编号）"];

    public static bool MayRead(Person person) => person.Roles.Any(r => r.Role is Role.Supervisor or Role.Leader or Role.ConferenceStaff);

    /// <summary>
    /// The month's rows the viewer may count: the partitions of the units they oversee (every unit for an administrator,
    /// <paramref name="viewer"/> null), without accusations the guard keeps from them. Few units: one query per
    /// partition; many: one range query over the month.
    /// </summary>
    public static async Task<List<IReadOnlyDictionary<string, object?>>> RowsAsync(
        OrchestrationStorage storage, OrgDirectory org, Person? viewer, YearMonth month, string? unit, CancellationToken ct, int pointQueryUnits = PointQueryUnits)
    {
        var units = org.Units.Select(u => u.Id)
            .Where(u => (unit is null || u == unit) && (viewer is null || SupervisionVisibility.Oversees(org, viewer, u)))
            .ToHashSet(StringComparer.Ordinal);
        var table = await storage.ReadModelAsync(PetitionRow.Model);
        var filters = units.Count <= pointQueryUnits
            ? units.Select(u => TableClient.CreateQueryFilter($"PartitionKey eq {PetitionRow.Partition(month, u)}")).ToList()
            : [TableClient.CreateQueryFilter($"PartitionKey ge {PetitionRow.MonthStart(month)} and PartitionKey lt {PetitionRow.MonthEnd(month)}")];
        var found = new ConcurrentBag<IReadOnlyDictionary<string, object?>>();
        await Parallel.ForEachAsync(filters, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (filter, token) =>
        {
            await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: token))
            {
                var row = e.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal);
                if (row.GetValueOrDefault(PetitionRow.UnitId) is string u && units.Contains(u) && (viewer is null || !Guarded(org, viewer, row)))
                {
                    found.Add(row);
                }
            }
        });

        return [.. found];
    }

    /// <summary>The accusation guard on a row, with today's directory (the accused person's units as they are now).</summary>
    public static bool Guarded(OrgDirectory org, Person viewer, IReadOnlyDictionary<string, object?> row)
    {
        var category = Enum.TryParse<Category>(row.GetValueOrDefault(PetitionRow.Category) as string, out var c) ? c : (Category?)null;
        return AccusationGuard.ExcludesPerson(
            org, category, row.GetValueOrDefault(PetitionRow.AccusedUnitId) as string, row.GetValueOrDefault(PetitionRow.AccusedPersonId) as string, viewer.Id);
    }

    /// <summary>Repeat petitions per unit, for the scorecard's column.</summary>
    public static Dictionary<string, int> RepeatsByUnit(IEnumerable<IReadOnlyDictionary<string, object?>> rows) =>
        rows.Where(IsRepeat).GroupBy(r => (string)r[PetitionRow.UnitId]!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    public static RepeatReport Report(OrgDirectory org, YearMonth month, Instant asOf, IReadOnlyCollection<IReadOnlyDictionary<string, object?>> rows)
    {
        var units = rows.GroupBy(r => (string)r[PetitionRow.UnitId]!, StringComparer.Ordinal)
            .Select(g => Count(g.Key, org.Unit(g.Key)?.Name, [.. g]))
            .OrderByDescending(u => u.RepeatPetitions).ThenByDescending(u => u.Petitions).ThenBy(u => u.UnitId, StringComparer.Ordinal)
            .ToList();
        return new RepeatReport(PetitionRow.MonthKey(month), asOf, Count("*", null, rows), units);
    }

    private static UnitRepeats Count(string unitId, string? name, IReadOnlyCollection<IReadOnlyDictionary<string, object?>> rows)
    {
        var repeats = rows.Where(IsRepeat).ToList();
        var matters = repeats.GroupBy(r => r.GetValueOrDefault(PetitionRow.Matter) as string ?? string.Empty, StringComparer.Ordinal)
            .Select(g =>
            {
                var latest = g.OrderByDescending(r => r.GetValueOrDefault(PetitionRow.ReceivedAt) as DateTimeOffset? ?? DateTimeOffset.MinValue)
                    .ThenByDescending(r => r.GetValueOrDefault(PetitionRow.CaseId) as string, StringComparer.Ordinal).First();
                return new RepeatMatter(MatterKey(g.Key), g.Count(), latest[PetitionRow.CaseId] as string ?? string.Empty, latest.GetValueOrDefault(PetitionRow.ReceivedOn) as string ?? string.Empty);
            })
            .OrderByDescending(m => m.Count).ThenByDescending(m => m.LatestReceivedOn, StringComparer.Ordinal).ThenBy(m => m.MatterKey, StringComparer.Ordinal)
            .ToList();
        var petitioners = rows.GroupBy(r => r.GetValueOrDefault(PetitionRow.Petitioner) as string ?? string.Empty, StringComparer.Ordinal).Count(g => g.Count() >= 2);
        return new UnitRepeats(unitId, name, rows.Count, repeats.Count, matters.Count, petitioners, [.. matters.Take(TopMatters)]);
    }

    private static bool IsRepeat(IReadOnlyDictionary<string, object?> r) => r.GetValueOrDefault(PetitionRow.Repeat) is true;

    /// <summary>A short, stable label of a matter fingerprint (the first 12 hex digits); never the petitioner's.</summary>
    public static string MatterKey(string matter) =>
        matter.StartsWith("pm:", StringComparison.Ordinal) ? "pm-" + Short(matter[3..]) : "m-" + Short(matter);

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;

    /// <summary>RFC 4180 CSV, UTF-8 with a BOM, formula characters neutralised (as the scorecard); the total last.</summary>
    public static byte[] Csv(RepeatReport report)
    {
        var text = new StringBuilder();
        text.Append(string.Join(',', CsvHeaders.Select(ScorecardExport.Quote))).Append("\r\n");
        foreach (var u in report.Units.Append(report.Total with { UnitName = "合计" }))
        {
            var top = string.Join("；", u.TopMatters.Select(m => $"{m.MatterKey}×{m.Count.ToString(CultureInfo.InvariantCulture)}（{m.LatestCaseId}）"));
            object?[] cells = [u.UnitId, u.UnitName ?? string.Empty, report.Month, u.Petitions, u.RepeatPetitions, u.RepeatedMatters, u.PetitionersWithRepeats, top];
            text.Append(string.Join(',', cells.Select(ScorecardExport.Cell))).Append("\r\n");
        }

        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }
}
