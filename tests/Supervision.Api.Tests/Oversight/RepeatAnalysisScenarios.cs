using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Supervision.Api.Org;
using Supervision.Api.Oversight;
using Supervision.Api.Tests.Cases;
using Supervision.Domain.Cases;
using Supervision.Orchestrations;

namespace Supervision.Api.Tests.Oversight;

/// <summary>
/// 重复信访 end to end (Arts. 19, 36; docs/analysis.md): the same matter twice more by the same petitioner and a different
/// matter, plus a repeated accusation against the city government; counted through <c>GET /api/analysis/repeats</c> from
/// the petitions read model, scoped like the case list (another county sees none; the accused unit's leader does not
/// count the accusation), as CSV, in the OpenAPI document and as a scorecard column.
/// </summary>
public sealed class RepeatAnalysisScenarios
{
    // Legal time starts in mid-November; every petition is received earlier that month, so all fall in 2025-11.
    private static readonly DateTimeOffset Start = new(2025, 11, 20, 2, 0, 0, TimeSpan.Zero);
    private const string Month = "2025-11";
    private static readonly string[] Names = ["张三", "李四"];

    [Fact]
    public async Task Repeats_are_counted_per_unit_matter_and_petitioner_within_the_callers_scope()
    {
        await using var app = await CaseApp.StartAsync(Start, speed: 3_600);
        var registrar = app.As("c-registrar");

        var elevator = (string)(await Register(registrar, 3, "housing:elevator:garden-3", "张三").OkAsync())["case"]!["id"]!;
        await Repeat(registrar, 5, "Housing Elevator Garden 3", "张三", elevator);   // the same matter, written differently (H2)
        await Repeat(registrar, 6, "housing:elevator:garden-3", "张三", elevator);
        await Register(registrar, 7, "housing:roof:garden-3", "张三").OkAsync();     // another matter: a new case, not a repeat
        var accusation = (string)(await Register(registrar, 8, "cdi:bribe:gov", "李四", "Accusation", "c-gov").OkAsync())["case"]!["id"]!;
        await Repeat(registrar, 9, "cdi:bribe:gov", "李四", null, "Accusation", "c-gov");

        // The city bureau's supervisor sees all six petitions under the bureau (nothing was routed yet).
        var supervisor = app.As("c-supervisor");
        var report = await CaseApp.EventuallyAsync(async () =>
        {
            var r = await supervisor.GetJsonAsync($"/api/analysis/repeats?month={Month}");
            return (int)r["total"]!["repeatPetitions"]! == 3 ? r : null;
        }, "three repeat petitions in the analysis");
        Assert.Equal(Month, (string)report["month"]!);
        var bureau = Assert.Single(report["units"]!.AsArray())!;
        Assert.Equal(("c-bureau", "临川市信访局"), ((string)bureau["unitId"]!, (string)bureau["unitName"]!));
        Assert.Equal((6, 3, 2, 2), Counts(bureau));
        var top = bureau["topMatters"]!.AsArray();
        Assert.Equal((2, elevator), ((int)top[0]!["count"]!, (string)top[0]!["latestCaseId"]!));
        Assert.Equal((1, accusation), ((int)top[1]!["count"]!, (string)top[1]!["latestCaseId"]!));
        Assert.StartsWith("m-", (string)top[0]!["matterKey"]!, StringComparison.Ordinal);

        // Petitioners are counted, never shown: no name, phone or fingerprint in the answer.
        var text = report.ToJsonString();
        var hashes = Names.Select(n => CaseHashes.PetitionerFingerprint(new Petitioner(n, null, "13800000000", null))).ToArray();
        foreach (var secret in Names.Append("13800000000").Append("fingerprint").Concat(hashes).Concat(hashes.Select(h => h[..12])))
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        // The city government is accused: its leader counts only 张三's petitions (the accusation is not theirs to see).
        var leader = await app.As("c-leader").GetJsonAsync($"/api/analysis/repeats?month={Month}");
        Assert.Equal((4, 2, 1, 1), Counts(Assert.Single(leader["units"]!.AsArray())!));
        Assert.Equal((4, 2, 1, 1), Counts(leader["total"]!));
        Assert.DoesNotContain(accusation, leader.ToJsonString(), StringComparison.Ordinal);

        // The province sees the city's petitions; another county's people see none of them.
        Assert.Equal((6, 3, 2, 2), Counts((await app.As("p-leader").GetJsonAsync($"/api/analysis/repeats?month={Month}"))["total"]!));

        // One query per unit's partition and one range query over the month read the same rows (the range is taken above
        // RepeatAnalysis.PointQueryUnits units, e.g. for a province).
        var org = await app.Services.GetRequiredService<OrgService>().GetAsync(default);
        var storage = app.Services.GetRequiredService<OrchestrationStorage>();
        var provinceLeader = org.PersonById("p-leader");
        var byUnit = await RepeatAnalysis.RowsAsync(storage, org, provinceLeader, new YearMonth(2025, 11), null, default);
        var byRange = await RepeatAnalysis.RowsAsync(storage, org, provinceLeader, new YearMonth(2025, 11), null, default, pointQueryUnits: 0);
        Assert.Equal(6, byUnit.Count);
        Assert.Equal(byUnit.Select(r => (string)r["RowKey"]!).Order(), byRange.Select(r => (string)r["RowKey"]!).Order());
        foreach (var person in new[] { "ca-leader", "cb-supervisor", "ca-conf-staff" })
        {
            var other = await app.As(person).GetJsonAsync($"/api/analysis/repeats?month={Month}");
            Assert.Empty(other["units"]!.AsArray());
            Assert.Equal((0, 0, 0, 0), Counts(other["total"]!));
        }

        // Another month has nothing; a unit filter outside the caller's levels is 404, like a unit that does not exist.
        Assert.Empty((await supervisor.GetJsonAsync("/api/analysis/repeats?month=2025-10"))["units"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await app.As("ca-leader").GetAsync(new Uri($"/api/analysis/repeats?month={Month}&unit=c-bureau", UriKind.Relative))).StatusCode);
        Assert.Single((await supervisor.GetJsonAsync($"/api/analysis/repeats?month={Month}&unit=c-bureau"))["units"]!.AsArray());

        // Bad input is problem+json naming the parameter; agency staff may not read the analysis.
        foreach (var (query, field) in new[] { ("month=2025-13", "month"), ("month=November", "month"), ("month=2025-11&format=xml", "format"), ("month=2025-11&month=2025-12", "month") })
        {
            var bad = await supervisor.GetAsync(new Uri($"/api/analysis/repeats?{query}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("application/problem+json", bad.Content.Headers.ContentType!.MediaType);
            Assert.NotNull((await bad.JsonAsync())["errors"]![field]);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await app.As("c-housing-officer").GetAsync(new Uri($"/api/analysis/repeats?month={Month}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await registrar.GetAsync(new Uri($"/api/analysis/repeats?month={Month}", UriKind.Relative))).StatusCode);

        // CSV: UTF-8 with a BOM, one row per unit and the total, with the download policy.
        var csv = await supervisor.GetAsync(new Uri($"/api/analysis/repeats?month={Month}&format=csv", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        Assert.Contains("sandbox", string.Join(';', csv.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        var bytes = await csv.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("单位编码,单位名称,月份,信访件次,重复信访件次,重复信访事项数,", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"c-bureau,临川市信访局,{Month},6,3,2,2,", lines[1], StringComparison.Ordinal);
        Assert.Contains(elevator, lines[1], StringComparison.Ordinal);
        Assert.StartsWith($"*,合计,{Month},6,3,2,2,", lines[2], StringComparison.Ordinal);
        Assert.Equal(3, lines.Length);
        var leaderCsv = Encoding.UTF8.GetString(await (await app.As("c-leader").GetAsync(new Uri($"/api/analysis/repeats?month={Month}&format=csv", UriKind.Relative))).Content.ReadAsByteArrayAsync());
        Assert.DoesNotContain(accusation, leaderCsv, StringComparison.Ordinal);

        // The scorecard's exports carry the repeat column (its rows are the units with handling metrics this month).
        var card = Encoding.UTF8.GetString((await (await supervisor.GetAsync(new Uri($"/api/scorecard?month={Month}&format=csv", UriKind.Relative))).Content.ReadAsByteArrayAsync())[3..]);
        Assert.EndsWith(",重复信访,积案,已化解,化解率", card.Split("\r\n")[0], StringComparison.Ordinal);

        // The OpenAPI document lists the operation.
        var doc = await app.As("admin").GetJsonAsync("/openapi/v1.json");
        Assert.NotNull(doc["paths"]!["/api/analysis/repeats"]!["get"]);
    }

    /// <summary>
    /// 分析研判 (A21) from the month counters the case keeps: counts by category and channel, the hot matter, the trend's
    /// month, CSV; the accused unit's leader does not count the accusation against it.
    /// </summary>
    [Fact]
    public async Task The_month_analysis_counts_by_category_channel_and_matter_and_leaves_out_an_accusation_against_the_viewer()
    {
        await using var app = await CaseApp.StartAsync(Start, speed: 3_600);
        var registrar = app.As("c-registrar");
        var elevator = (string)(await Register(registrar, 3, "housing:elevator:garden-3", "张三").OkAsync())["case"]!["id"]!;
        await Repeat(registrar, 5, "housing:elevator:garden-3", "张三", elevator);
        await Register(registrar, 6, "housing:elevator:garden-3", "王五").OkAsync();  // the same matter, another petitioner
        await Register(registrar, 7, "housing:roof:garden-3", "张三", "Suggestion").OkAsync();
        await Register(registrar, 8, "cdi:bribe:gov", "李四", "Accusation", "c-gov").OkAsync();

        static long Count(JsonNode report, string list, string key) =>
            report[list]!.AsArray().Where(c => (string)c!["key"]! == key).Select(c => (long)c!["count"]!).SingleOrDefault();
        var supervisor = await CaseApp.EventuallyAsync(async () =>
        {
            var r = await app.As("c-supervisor").GetJsonAsync($"/api/analysis?month={Month}&months=2");
            return (long)r["received"]! == 4 && (long)r["repeats"]! == 1 ? r : null;
        }, "four registrations and one repeat in the month's counters");
        Assert.Equal((2L, 1L, 1L), (Count(supervisor, "byCategory", "Complaint"), Count(supervisor, "byCategory", "Suggestion"), Count(supervisor, "byCategory", "Accusation")));
        Assert.Equal(4L, Count(supervisor, "byChannel", "Visit"));
        var bureau = supervisor["byUnit"]!.AsArray().Single(u => (string)u!["unitId"]! == "c-bureau")!;
        Assert.Equal((4L, 1L), ((long)bureau["received"]!, (long)bureau["repeats"]!));
        var hot = supervisor["hotMatters"]!.AsArray();
        Assert.True(hot.Count >= 1 && (long)hot[0]!["petitions"]! == 3, $"the elevator matter (two registrations and a repeat) is hottest: {hot.ToJsonString()}");
        var month = supervisor["trend"]!.AsArray().Single(m => (string)m!["month"]! == Month)!;
        Assert.Equal(4L, (long)month["received"]!);

        // The city government is accused: its leader's analysis has no accusation in any count.
        var leader = await app.As("c-leader").GetJsonAsync($"/api/analysis?month={Month}&months=2");
        Assert.Equal((3L, 0L), ((long)leader["received"]!, Count(leader, "byCategory", "Accusation")));

        // The same figures as CSV; a bad month is a 400 naming it.
        var csv = await app.As("c-supervisor").GetAsync(new Uri($"/api/analysis?month={Month}&format=csv", UriKind.Relative));
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Complaint", await csv.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var bad = await app.As("c-supervisor").GetAsync(new Uri("/api/analysis?month=2025-13", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
    }

    private static (int, int, int, int) Counts(JsonNode unit) =>
        ((int)unit["petitions"]!, (int)unit["repeatPetitions"]!, (int)unit["repeatedMatters"]!, (int)unit["petitionersWithRepeats"]!);

    /// <summary>A registration at the city bureau received <paramref name="day"/> November 2025 (10:00 local).</summary>
    private static Task<HttpResponseMessage> Register(HttpClient registrar, int day, string matter, string petitioner, string category = "Complaint", string? accusedUnit = null) =>
        registrar.PostAsJsonAsync("/api/cases", new
        {
            channel = "Visit",
            receivedAt = $"2025-11-{day:00}T02:00:00Z",
            unitId = "c-bureau",
            petitioner = new { name = petitioner, phone = "13800000000" },
            summary = "重复反映",
            matterKey = matter,
            category,
            accusedUnitId = accusedUnit,
        });

    /// <summary>A registration the desk recognises as a repeat of an open case: 409, recorded on that case.</summary>
    private static async Task Repeat(HttpClient registrar, int day, string matter, string petitioner, string? earlier, string category = "Complaint", string? accusedUnit = null)
    {
        var response = await Register(registrar, day, matter, petitioner, category, accusedUnit);
        var problem = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{(int)response.StatusCode}: {problem.ToJsonString()}");
        Assert.Equal(earlier, (string?)problem["caseId"]); // an accusation's id is not disclosed (null)
    }
}
